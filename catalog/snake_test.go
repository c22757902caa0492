package catalog

import "testing"

func TestSnakeName(t *testing.T) {
	for name, want := range map[string]string{
		"Get-Mailbox":                        "get_mailbox",
		"Get-MailboxPermission":              "get_mailbox_permission",
		"Get-CASMailbox":                     "get_cas_mailbox",
		"Get-EXOMailbox":                     "get_exo_mailbox",
		"Set-OwaMailboxPolicy":               "set_owa_mailbox_policy",
		"New-DkimSigningConfig":              "new_dkim_signing_config",
		"Get-HostedContentFilterPolicy":      "get_hosted_content_filter_policy",
		"Get-MessageTraceV2":                 "get_message_trace_v2",
		"Get-MessageTraceDetailV2":           "get_message_trace_detail_v2",
		"Get-AtpPolicyForO365":               "get_atp_policy_for_o365",
		"Get-M365DataAtRestEncryptionPolicy": "get_m365_data_at_rest_encryption_policy",
		"Get-HybridMailflowDatacenterIPs":    "get_hybrid_mailflow_datacenter_ips",
		"Get-IPv6StatusForAcceptedDomain":    "get_ipv6_status_for_accepted_domain",
		"Test-OAuthConnectivity":             "test_oauth_connectivity",
		"Add-eDiscoveryCaseAdmin":            "add_ediscovery_case_admin",
		"Get-IRMConfiguration":               "get_irm_configuration",
		"Test-MAPIConnectivity":              "test_mapi_connectivity",
		"Execute-AzureADLabelSync":           "execute_azure_ad_label_sync",
		"Get-SCInsights":                     "get_sc_insights",
		"Get-ATPTotalTrafficReport":          "get_atp_total_traffic_report",
	} {
		if got := snakeName(name); got != want {
			t.Errorf("snakeName(%s) = %s, want %s", name, got, want)
		}
	}
}

// TestSnakeNamesUnique: exo.<snake> must name exactly one cmdlet. If a new
// reference brings a collision, decode gives the name to neither cmdlet
// and this test says which; resolve it in snakeName (a snakeToken) or by
// a documented override.
func TestSnakeNamesUnique(t *testing.T) {
	if amb := loaded().ambiguous; len(amb) > 0 {
		t.Errorf("snake names naming several cmdlets: %v", amb)
	}
	for _, c := range All() {
		got, ok := BySnakeName(c.SnakeName())
		if !ok || got != c {
			t.Errorf("BySnakeName(%s) = %v, want %s", c.SnakeName(), got, c.Name)
		}
		if c.SnakeName() != snakeName(c.Name) {
			t.Errorf("%s: stored snake %s, computed %s", c.Name, c.SnakeName(), snakeName(c.Name))
		}
	}
}

func TestBySnakeNameIgnoresCase(t *testing.T) {
	if c, ok := BySnakeName("GET_MAILBOX_PERMISSION"); !ok || c.Name != "Get-MailboxPermission" {
		t.Errorf("BySnakeName(GET_MAILBOX_PERMISSION) = %v, %v", c, ok)
	}
	if _, ok := BySnakeName("get-mailbox"); ok {
		t.Error("BySnakeName accepted a cmdlet name")
	}
}

// TestSnakeCollisionIsNoGuess: when two cmdlets share a snake name,
// neither gets it (the real catalog has no such pair; this fakes one).
func TestSnakeCollisionIsNoGuess(t *testing.T) {
	ix, err := decode("# " + formatVersion + "\nC\tGet-Xml_report\tE\nC\tGet-XmlReport\tE\nC\tGet-Zed\tE\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ix.bySnake["get_xml_report"]; ok {
		t.Error("an ambiguous snake name names a cmdlet")
	}
	if got := ix.ambiguous["get_xml_report"]; len(got) != 2 {
		t.Errorf("ambiguous = %v", ix.ambiguous)
	}
	if _, ok := ix.bySnake["get_zed"]; !ok {
		t.Error("an unambiguous snake name is missing")
	}
}
