package bindings

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exorun/exorun/connect/adminapi"
)

// BenchmarkActivityObject is what a stream pays per object so that a
// progress display can follow it, with a reader polling ten times a
// second as the CLI's line does. Compare ns/op with decode's
// BenchmarkObject30 (the decoding of one mailbox into a Lua table).
func BenchmarkActivityObject(b *testing.B) {
	a := &activity{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_, _ = a.objects.Load(), a.pages.Load()
			}
		}
	}()
	i := 0
	for b.Loop() {
		i++
		a.object(i/1000 + 1) // a page per 1,000 objects
	}
	close(stop)
	<-done
}

type noTokens struct{}

func (noTokens) Token(context.Context) (string, error) { return "", errors.New("no network here") }
func (noTokens) Invalidate(string)                     {}

// BenchmarkActivityPoll is one Host.Activity call of a progress display's
// tick (ten a second): the lock of the running list and a Stats snapshot.
func BenchmarkActivityPoll(b *testing.B) {
	c, err := adminapi.New(adminapi.Options{BaseURL: "https://outlook.office365.com", TenantID: "t", Tokens: noTokens{}})
	if err != nil {
		b.Fatal(err)
	}
	h := NewHost(Options{})
	h.running.list = []*activity{{cmdlet: "Get-Mailbox", client: c, started: time.Now()}}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := h.Activity(); !ok {
			b.Fatal("nothing running")
		}
	}
}
