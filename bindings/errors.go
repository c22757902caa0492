package bindings

import (
	"errors"
	"fmt"
	"strings"

	"github.com/exorun/exorun/catalog"
	"github.com/exorun/exorun/connect/adminapi"
	"github.com/exorun/exorun/internal/exitcode"
)

// notAllowedError is the role filter's refusal, raised before any request.
type notAllowedError struct {
	cmdlet   string
	appID    string
	roles    []string // the session's roles
	granting []string // roles that would grant the cmdlet
	reason   string   // set for cmdlets that never work app-only
}

func (e *notAllowedError) Error() string {
	if e.reason != "" {
		return fmt.Sprintf("%s is not allowed for app %s: %s", e.cmdlet, e.appID, e.reason)
	}
	have := "none"
	if len(e.roles) > 0 {
		have = strings.Join(e.roles, ", ")
	}
	msg := fmt.Sprintf("%s is not allowed for app %s: its roles are %s", e.cmdlet, e.appID, have)
	switch len(e.granting) {
	case 0:
		msg += "; no directory role grants it to an app"
	case 1:
		msg += "; " + e.granting[0] + " grants it"
	default:
		msg += "; " + strings.Join(e.granting[:len(e.granting)-1], ", ") + " or " + e.granting[len(e.granting)-1] + " grant it"
	}
	return msg
}

func (e *notAllowedError) Unwrap() error {
	hint := "assign one of the granting roles to the app in Entra ID (Roles and administrators), or use an app that has one"
	if e.reason != "" {
		hint = "" // the reason says it all; no role assignment changes it
	}
	return &exitcode.Error{Code: exitcode.Permission, Err: errors.New(e.Error()), Hint: hint}
}

func (e *notAllowedError) LuaFields() map[string]any {
	return map[string]any{"code": "not_allowed", "cmdlet": e.cmdlet, "granting_roles": toAny(e.granting)}
}

// unknownCmdletError is a name that is no cmdlet of the session's service.
type unknownCmdletError struct {
	name    string
	service catalog.Service
	hint    string
}

func (e *unknownCmdletError) Error() string {
	msg := fmt.Sprintf("exo has no cmdlet %s in %s", e.name, e.service)
	if e.hint != "" {
		msg += " (" + e.hint + ")"
	}
	return msg
}

func (e *unknownCmdletError) Unwrap() error { return exitcode.New(exitcode.Script, "%s", e.Error()) }

func (e *unknownCmdletError) LuaFields() map[string]any {
	return map[string]any{"code": "unknown_cmdlet", "cmdlet": e.name}
}

// serviceError gives an adminapi error the fields scripts branch on.
type serviceError struct{ err *adminapi.Error }

func (e serviceError) Error() string { return e.err.Error() }
func (e serviceError) Unwrap() error { return e.err }

func (e serviceError) LuaFields() map[string]any {
	a := e.err
	f := map[string]any{"code": a.Code, "cmdlet": a.Cmdlet}
	if a.Status != 0 {
		f["status"] = a.Status
	}
	if a.Exception != "" {
		f["exception"] = a.Exception
	}
	if a.RequestID != "" {
		f["request_id"] = a.RequestID
	}
	if a.RetryAfter > 0 {
		f["retry_after"] = a.RetryAfter.Seconds()
	}
	if a.Message != "" {
		f["detail"] = a.Message
	}
	return f
}

// luaErr wraps errors from adminapi so their fields reach Lua.
func luaErr(err error) error {
	var ae *adminapi.Error
	if errors.As(err, &ae) {
		return serviceError{ae}
	}
	return err
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
