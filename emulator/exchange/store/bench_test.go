package store

import (
	"context"
	"runtime"
	"testing"

	"github.com/exorun/exorun/emulator/exchange"
	"github.com/exorun/exorun/emulator/exchange/store/tenant"
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkGenerate100k generates a 100,000-mailbox tenant and adds it to
// a store (which builds the identity indexes); it reports the heap the
// tenant keeps in use after garbage collection.
func BenchmarkGenerate100k(b *testing.B) {
	var mb float64
	for b.Loop() {
		before := heapInUse()
		s, err := New("")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.AddTenant(tenant.Generate("g", "fabrikam.onmicrosoft.com", 100_000, 1)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		mb = float64(heapInUse()-before) / (1 << 20)
		runtime.KeepAlive(s)
		b.StartTimer()
	}
	b.ReportMetric(mb, "MB/100k-tenant")
}

// BenchmarkRenderPage1000 is one page of a large listing as the front end
// serves it: Get-Mailbox -ResultSize Unlimited on a 100,000-mailbox
// tenant, then objects 50,000 to 50,999 rendered.
func BenchmarkRenderPage1000(b *testing.B) {
	s, err := New("")
	if err != nil {
		b.Fatal(err)
	}
	if err := s.AddTenant(tenant.Generate("g", "fabrikam.onmicrosoft.com", 100_000, 1)); err != nil {
		b.Fatal(err)
	}
	c := exchange.Call{Cmdlet: "Get-Mailbox", Service: "Exchange Online", Params: exchange.Params{"ResultSize": "Unlimited"},
		Caller: exchange.Caller{TenantID: "g", Organization: "fabrikam.onmicrosoft.com", AppID: "bench"}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Invoke(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		for i := 50_000; i < 51_000; i++ {
			if o := res.Object(i); len(o) == 0 {
				b.Fatal("empty object")
			}
		}
	}
}

// BenchmarkFilter100k is Get-Mailbox -Filter over every mailbox.
func BenchmarkFilter100k(b *testing.B) {
	s, err := New("")
	if err != nil {
		b.Fatal(err)
	}
	if err := s.AddTenant(tenant.Generate("g", "fabrikam.onmicrosoft.com", 100_000, 1)); err != nil {
		b.Fatal(err)
	}
	c := exchange.Call{Cmdlet: "Get-Mailbox", Service: "Exchange Online",
		Params: exchange.Params{"ResultSize": "Unlimited", "Filter": "Office -like 'London*' -and LitigationHoldEnabled -eq $false"},
		Caller: exchange.Caller{TenantID: "g", Organization: "fabrikam.onmicrosoft.com", AppID: "bench"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Invoke(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}
