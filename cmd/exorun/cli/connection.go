package cli

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/exorun/exorun/connect"
	"github.com/exorun/exorun/connect/certificate"
)

// connectionOptions are the connection flags, derived from
// connect.Fields: one declaration gives the flag, the environment variable
// and the connect{} key.
type connectionOptions struct {
	values map[string]*string // by field key
}

func (o *connectionOptions) register(fs *pflag.FlagSet) {
	o.values = map[string]*string{}
	for _, f := range connect.Fields() {
		if f.Flag == "" {
			continue
		}
		usage := f.Usage
		if f.FlagNamesEnv {
			usage = "name of the environment `VAR` holding the " + f.Usage
		}
		switch {
		case f.Env != "" && f.AzureEnv != "":
			usage += " (env " + f.Env + ", then " + f.AzureEnv + ")"
		case f.Env != "":
			usage += " (env " + f.Env + ")"
		}
		o.values[f.Key] = fs.String(f.Flag, "", usage)
		if f.Switch {
			fs.Lookup(f.Flag).NoOptDefVal = "true"
		}
	}
}

// settings merges flags over environment variables over the profile.
func (o *connectionOptions) settings(env *Env) (connect.Settings, error) {
	s, _, err := o.settingsUnder(env, connect.Settings{})
	return s, err
}

// settingsUnder merges top (a tenants file's row) over flags over
// environment variables over the profile, which top may name, over the
// variables Azure's tools set (connect.FromAzureEnv).
// signedOnly is the profile's require_signed.
func (o *connectionOptions) settingsUnder(env *Env, top connect.Settings) (s connect.Settings, signedOnly bool, err error) {
	var flags connect.Settings
	for _, f := range connect.Fields() {
		p, ok := o.values[f.Key]
		if !ok || *p == "" {
			continue
		}
		v := *p
		if f.FlagNamesEnv {
			got, ok := env.LookupEnv(v)
			if !ok {
				return connect.Settings{}, false, usageError("--%s %s: that environment variable is not set", f.Flag, v)
			}
			v = got
		}
		f.Set(&flags, v)
	}
	fromEnv := connect.FromEnv(env.LookupEnv)
	fromAzure := connect.FromAzureEnv(env.LookupEnv)
	name := connect.Merge(top, flags, fromEnv).Profile
	if name == "" {
		return connect.Merge(top, flags, fromEnv, fromAzure), false, nil
	}
	profile, signedOnly, err := loadProfile(env, name)
	if err != nil {
		return connect.Settings{}, false, err
	}
	return connect.Merge(top, flags, fromEnv, profile, fromAzure), signedOnly, nil
}

// loadProfile reads ConfigDir/profiles/NAME.json: its connection
// settings, and its require_signed policy.
func loadProfile(env *Env, name string) (connect.Settings, bool, error) {
	data, signedOnly, err := readProfile(env, name)
	if err != nil {
		return connect.Settings{}, false, err
	}
	s, err := connect.ParseProfile(name, data, env.LookupEnv)
	if err != nil {
		return connect.Settings{}, false, usageError("%v", err)
	}
	return s, signedOnly, nil
}

// profileRequireSigned is a profile's policy key: "require_signed":
// true makes every run under the profile --require-signed.
const profileRequireSigned = "require_signed"

// readProfile reads ConfigDir/profiles/NAME.json and splits it: the
// connection settings (for connect.ParseProfile) and the policy, which
// is no connection setting (and so no connect{} key).
func readProfile(env *Env, name string) (settings []byte, requireSigned bool, err error) {
	if err := connect.ProfileName(name); err != nil {
		return nil, false, usageError("--profile: %v", err)
	}
	if env.ConfigDir == "" {
		return nil, false, usageError("profile %s: no config folder on this machine", name)
	}
	path := filepath.Join(env.ConfigDir, "profiles", name+".json")
	data, err := env.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, usageError("profile %s: %s does not exist", name, path)
	}
	if err != nil {
		return nil, false, usageError("profile %s: %v", name, err)
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return data, false, nil // ParseProfile says what is wrong
	}
	policy, ok := raw[profileRequireSigned]
	if !ok {
		return data, false, nil
	}
	if err := json.Unmarshal(policy, &requireSigned); err != nil {
		return nil, false, usageError("profile %s: %s wants true or false", name, profileRequireSigned)
	}
	delete(raw, profileRequireSigned)
	data, err = json.Marshal(raw)
	return data, requireSigned, err
}

// profileName is the profile the flags or the environment name; "" for
// none.
func (o *connectionOptions) profileName(env *Env) string {
	if p := o.values["profile"]; p != nil && *p != "" {
		return *p
	}
	return connect.FromEnv(env.LookupEnv).Profile
}

// certStore is the thumbprint store in the config folder.
func (e *Env) certStore() *certificate.Store {
	if e.ConfigDir == "" || e.StoreFS == nil {
		return nil
	}
	return &certificate.Store{Dir: filepath.Join(e.ConfigDir, "certificates"), FS: e.StoreFS}
}

// connectOptions are what connect.Open needs from the process. Tokens
// and certificates use the real clock, not EXORUN_NOW: that pins what
// scripts see, while Entra ID checks real time.
func (e *Env) connectOptions(logger *slog.Logger) connect.Options {
	return connect.Options{
		ReadFile:  e.ReadFile,
		WriteFile: e.WriteFile,
		Store:     e.certStore(),
		Now:       time.Now,
		Logger:    logger,
		LookupEnv: e.LookupEnv,
	}
}
