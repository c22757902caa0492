package cli

import (
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
		if f.Env != "" {
			usage += " (env " + f.Env + ")"
		}
		o.values[f.Key] = fs.String(f.Flag, "", usage)
	}
}

// settings merges flags over environment variables over the profile.
func (o *connectionOptions) settings(env *Env) (connect.Settings, error) {
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
				return connect.Settings{}, usageError("--%s %s: that environment variable is not set", f.Flag, v)
			}
			v = got
		}
		f.Set(&flags, v)
	}
	fromEnv := connect.FromEnv(env.LookupEnv)
	name := connect.Merge(flags, fromEnv).Profile
	if name == "" {
		return connect.Merge(flags, fromEnv), nil
	}
	profile, err := loadProfile(env, name)
	if err != nil {
		return connect.Settings{}, err
	}
	return connect.Merge(flags, fromEnv, profile), nil
}

// loadProfile reads ConfigDir/profiles/NAME.json.
func loadProfile(env *Env, name string) (connect.Settings, error) {
	if err := connect.ProfileName(name); err != nil {
		return connect.Settings{}, usageError("--profile: %v", err)
	}
	if env.ConfigDir == "" {
		return connect.Settings{}, usageError("profile %s: no config folder on this machine", name)
	}
	path := filepath.Join(env.ConfigDir, "profiles", name+".json")
	data, err := env.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return connect.Settings{}, usageError("profile %s: %s does not exist", name, path)
	}
	if err != nil {
		return connect.Settings{}, usageError("profile %s: %v", name, err)
	}
	s, err := connect.ParseProfile(name, data, env.LookupEnv)
	if err != nil {
		return connect.Settings{}, usageError("%v", err)
	}
	return s, nil
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
	}
}
