package tenants

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	src := "\xef\xbb\xbf# customers of the month\n" +
		"Organization,app_id,certificate_password_env,top,region\n" +
		"Contoso.onmicrosoft.com,,,5,emea\n" +
		"fabrikam.onmicrosoft.com,11111111-2222-3333-4444-555555555555,FABRIKAM_PFX,,\n"
	list, err := Parse("tenants.csv", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("got %d tenants, want 2", len(list))
	}
	c, f := list[0], list[1]
	if c.Organization != "contoso.onmicrosoft.com" || c.Settings.Organization != c.Organization || c.Line != 3 {
		t.Errorf("contoso = %+v", c)
	}
	if c.Params["top"] != "5" || c.Params["region"] != "emea" || c.Settings.AppID != "" {
		t.Errorf("contoso params/settings = %v / %+v", c.Params, c.Settings)
	}
	if f.Settings.AppID != "11111111-2222-3333-4444-555555555555" || f.SecretEnv["certificate_password"] != "FABRIKAM_PFX" || len(f.Params) != 0 || f.Line != 4 {
		t.Errorf("fabrikam = %+v", f)
	}
}

func TestParseJSON(t *testing.T) {
	src := `[
  {"organization": "contoso.onmicrosoft.com", "top": 5, "dry": true},
  {"organization": "fabrikam.onmicrosoft.com", "top": null}
]`
	list, err := Parse("t.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Params["top"] != "5" || list[0].Params["dry"] != "true" || list[1].Params != nil {
		t.Fatalf("list = %+v", list)
	}
	if list[0].Line != 2 || list[1].Line != 3 {
		t.Errorf("lines = %d, %d; want 2, 3", list[0].Line, list[1].Line)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ name, file, src, want string }{
		{"no organization column", "t.csv", "app_id\nx\n", "t.csv:1: no organization column"},
		{"empty organization", "t.csv", "organization,top\n,5\n", "t.csv:2: no organization"},
		{"secret column", "t.csv", "organization,certificate_password\na.com,hunter2\n", `t.csv:1: column "certificate_password" would hold a secret`},
		{"secret-like free column", "t.csv", "organization,api_token\na.com,x\n", `column "api_token" looks like it holds a secret`},
		{"service column", "t.csv", "organization,service\na.com,compliance\n", `chooses the service`},
		{"bad parameter name", "t.csv", "organization,top n\na.com,1\n", `column "top n"`},
		{"duplicate", "t.csv", "organization\na.com\nb.com\nA.com\n", "t.csv:4: organization a.com is listed twice (also on line 2)"},
		{"path in organization", "t.csv", "organization\n../etc\n", "neither a domain"},
		{"ragged row", "t.csv", "organization,top\na.com\n", "t.csv:2: wrong number of fields"},
		{"no rows", "t.csv", "organization\n", "no tenants"},
		{"empty", "t.csv", "", "empty"},
		{"json not array", "t.json", `{"organization":"a.com"}`, "want a JSON array"},
		{"json nested", "t.json", "[\n{\"organization\":\"a.com\",\"x\":{}}]", `t.json:2: "x": want a string`},
		{"json trailing", "t.json", `[{"organization":"a.com"}] x`, "text after the array"},
		{"unknown _env", "t.csv", "organization,app_id_env\na.com,X\n", `column "app_id_env"`},
		{"quote in a field", "t.csv", "organization\nfab\"rikam.onmicrosoft.com\n", `t.csv:2: bare " in non-quoted-field`},
		{"unterminated quote in the header", "t.csv", "\"organization\n", `extraneous or missing " in quoted-field`},
		{"json null row", "t.json", "[null]", `t.json:1: want an object`},
		{"pwd column", "t.csv", "organization,admin_pwd\na.com,x\n", `looks like it holds a secret`},
		{"apiKey column", "t.csv", "organization,apiKey\na.com,x\n", `looks like it holds a secret`},
		{"api_key column", "t.csv", "organization,api_key\na.com,x\n", `looks like it holds a secret`},
		{"acronym before a secret word", "t.csv", "organization,SMTPPassword\na.com,x\n", `column "SMTPPassword" looks like`},
		{"APIKey", "t.csv", "organization,APIKey\na.com,x\n", `column "APIKey" looks like`},
		{"PFXPassword", "t.csv", "organization,PFXPassword\na.com,x\n", `column "PFXPassword" looks like`},
		{"SASToken", "t.csv", "organization,SASToken\na.com,x\n", `column "SASToken" looks like`},
		{"APISecret", "t.csv", "organization,APISecret\na.com,x\n", `column "APISecret" looks like`},
		{"digit after the word", "t.csv", "organization,Password2\na.com,x\n", `column "Password2" looks like`},
		{"secret1", "t.csv", "organization,secret1\na.com,x\n", `column "secret1" looks like`},
		{"shared token cache", "t.csv", "organization,token_cache\na.com,/c.json\nb.com,/c.json\n", `t.csv:3: token_cache /c.json is also line 2's`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestSecretNeverEchoed: a secret pasted into a *_env column, where the
// variable's name belongs, is refused without being repeated.
func TestSecretNeverEchoed(t *testing.T) {
	_, err := Parse("t.csv", []byte("organization,client_secret_env\nfabrikam.onmicrosoft.com,Xy7~Q8sEcReTvAlUe.abc\n"))
	if err == nil || strings.Contains(err.Error(), "Xy7") || !strings.Contains(err.Error(), "t.csv:2: column client_secret_env holds no environment variable name") {
		t.Fatalf("err = %v", err)
	}
}

// TestParamColumnsNotSecret: columns whose words only look like a
// secret's stay parameters.
func TestParamColumnsNotSecret(t *testing.T) {
	list, err := Parse("t.csv", []byte("organization,tokens_used,passport_number,sort_key\na.com,1,2,3\n"))
	if err != nil || len(list[0].Params) != 3 {
		t.Fatalf("list %+v, err %v", list, err)
	}
}

func TestParseShard(t *testing.T) {
	env := map[string]string{"JOB_COMPLETION_INDEX": "2", "BAD": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{in: "0/4", want: Shard{0, 4}},
		{in: " 3 / 4 ", want: Shard{3, 4}},
		{in: "JOB_COMPLETION_INDEX/3", want: Shard{2, 3}},
		{in: "4/4", err: "want a whole number from 0 to 3"},
		{in: "-1/4", err: "from 0 to 3"},
		{in: "1/0", err: "N must be"},
		{in: "3", err: "want K/N"},
		{in: "JOB_COMPLETION_INDEX/2", err: `K (JOB_COMPLETION_INDEX) is "2"`},
		{in: "UNSET/2", err: "UNSET is not set"},
		{in: "BAD/2", err: `is "x"`},
		{in: "+1/+2", err: "N must be"},
		{in: "+1/2", err: `K is "+1"`},
		{in: "-0/4", err: `K is "-0"`},
	} {
		got, err := ParseShard(tc.in, lookup)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestShardsPartition: over N shards every tenant is in exactly one, the
// shards are not wildly uneven, and a tenant's shard does not depend on
// the others in the file.
func TestShardsPartition(t *testing.T) {
	var list []Tenant
	for i := range 5000 {
		list = append(list, Tenant{Organization: fmt.Sprintf("customer%04d.onmicrosoft.com", i)})
	}
	for _, n := range []int{1, 3, 20} {
		seen := map[string]int{}
		for k := range n {
			part := Select(list, Shard{k, n})
			if n > 1 && (len(part) < len(list)/n*8/10 || len(part) > len(list)/n*12/10) {
				t.Errorf("shard %d/%d holds %d of %d tenants", k, n, len(part), len(list))
			}
			for _, tn := range part {
				seen[tn.Organization]++
			}
		}
		for _, tn := range list {
			if seen[tn.Organization] != 1 {
				t.Fatalf("N=%d: %s is in %d shards", n, tn.Organization, seen[tn.Organization])
			}
		}
	}
	// Stable: the hash is part of the interface.
	if got := ShardOf("contoso.onmicrosoft.com", 3); got != ShardOf("CONTOSO.onmicrosoft.com", 3) {
		t.Error("shard depends on case")
	}
	if got := len(Select(list[:1], Shard{ShardOf(list[0].Organization, 7), 7})); got != 1 {
		t.Error("a tenant alone is not in its own shard")
	}
}
