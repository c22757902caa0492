package opath

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type named string

func lookupIn(m map[string]any) Lookup {
	return func(name string) (any, bool) {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
}

func TestMatch(t *testing.T) {
	obj := lookupIn(map[string]any{
		"Name":                          "AdeleV",
		"DisplayName":                   "Adele Vance",
		"RecipientTypeDetails":          named("UserMailbox"),
		"HiddenFromAddressListsEnabled": false,
		"LitigationHoldEnabled":         true,
		"ForwardingSmtpAddress":         nil,
		"EmailAddresses":                []string{"SMTP:adele@contoso.com", "smtp:adelev@contoso.onmicrosoft.com"},
		"ItemCount":                     int64(1200),
		"WhenCreated":                   time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC),
		"ProhibitSendQuota":             "99 GB (106,300,440,576 bytes)",
		"Department":                    "",
	})
	cases := []struct {
		filter string
		want   bool
	}{
		{"Name -eq 'AdeleV'", true},
		{"name -EQ 'adelev'", true},
		{`Name -eq "AdeleV"`, true},
		{"Name -eq AdeleV", true},
		{"Name -ne 'AdeleV'", false},
		{"DisplayName -like 'Adele*'", true},
		{"DisplayName -like '*vance'", true},
		{"DisplayName -like 'A?ele*'", true},
		{"DisplayName -notlike 'Adele*'", false},
		{"RecipientTypeDetails -eq 'UserMailbox'", true},
		{"LitigationHoldEnabled -eq $true", true},
		{"LitigationHoldEnabled -eq 'True'", true},
		{"HiddenFromAddressListsEnabled -eq $false", true},
		{"ForwardingSmtpAddress -eq $null", true},
		{"ForwardingSmtpAddress -ne $null", false},
		{"Department -eq $null", true},
		{"EmailAddresses -like '*@contoso.onmicrosoft.com'", true},
		{"EmailAddresses -eq 'SMTP:adele@contoso.com'", true},
		{"EmailAddresses -ne 'smtp:nobody@contoso.com'", true},
		{"ItemCount -gt 1000", true},
		{"ItemCount -le 1000", false},
		{"ItemCount -ge 1200 -and ItemCount -lt 1201", true},
		{"WhenCreated -gt '2024-01-01'", true},
		{"WhenCreated -lt '01/01/2024'", false},
		{"ProhibitSendQuota -gt '50GB'", true},
		{"ProhibitSendQuota -lt '50 GB'", false},
		{"Name -eq 'x' -or Name -eq 'AdeleV'", true},
		{"Name -eq 'x' -or Name -eq 'y' -and Name -eq 'AdeleV'", false},
		{"(Name -eq 'x' -or Name -eq 'AdeleV') -and DisplayName -like 'Adele*'", true},
		{"-not (Name -eq 'AdeleV')", false},
		{"-not(Name -eq 'x')", true},
		{"{Name -eq 'AdeleV'}", true},
		{"Nope -eq $null", true},
		{"Name -eq 'It''s'", false},
	}
	for _, c := range cases {
		e, err := Parse(c.filter)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.filter, err)
			continue
		}
		if got := e.Match(obj); got != c.want {
			t.Errorf("%q = %v, want %v", c.filter, got, c.want)
		}
	}
}

func TestQuotedQuote(t *testing.T) {
	e, err := Parse("Name -eq 'It''s'")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Match(lookupIn(map[string]any{"Name": "It's"})) {
		t.Fatal("doubled quote not read as one quote")
	}
}

func TestProperties(t *testing.T) {
	e, err := Parse("(Alias -like 'a*') -and -not (Office -eq 'Paris')")
	if err != nil {
		t.Fatal(err)
	}
	got := e.Properties()
	if len(got) != 2 || got[0] != (PropRef{"Alias", 2}) || got[1] != (PropRef{"Office", 31}) {
		t.Fatalf("Properties = %+v", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		filter string
		pos    int
	}{
		{"Name -eq ", 10},
		{"Name 'x'", 6},
		{"Name -eq 'x", 12},
		{"(Name -eq 'x'", 14},
		{"Name -eq 'x' -and", 18},
		{"Name -eq 'x' garbage", 14},
		{"-eq 'x'", 1},
		{"Name -contains 'x'", 6},
		{"Name -eq $x", 10},
		{"", 1},
	}
	for _, c := range cases {
		_, err := Parse(c.filter)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", c.filter, err)
			continue
		}
		if se.Pos != c.pos {
			t.Errorf("Parse(%q) position %d, want %d (%v)", c.filter, se.Pos, c.pos, se)
		}
	}
}

func TestWildcardIsNotExponential(t *testing.T) {
	s := strings.Repeat("a", 5000)
	if wildcard(s, strings.Repeat("*a", 50)+"b") {
		t.Fatal("matched")
	}
}

func TestParseByteQuantity(t *testing.T) {
	cases := map[string]int64{
		"99 GB (106,300,440,576 bytes)": 106300440576,
		"50GB":                          50 << 30,
		"1.5 MB":                        1572864,
		"1048576":                       1048576,
		"512kb":                         512 << 10,
	}
	for in, want := range cases {
		if got, ok := ParseByteQuantity(in); !ok || got != want {
			t.Errorf("ParseByteQuantity(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "lots", "5 XB", "-1GB"} {
		if _, ok := ParseByteQuantity(bad); ok {
			t.Errorf("ParseByteQuantity(%q) accepted", bad)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-10-30", "10/30/2026", "2026-10-30T00:00:00Z", "10/30/2026 00:00:00"} {
		if got, ok := ParseDate(s); !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, ok)
		}
	}
}
