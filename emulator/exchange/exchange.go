package exchange

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/exorun/exorun/catalog"
)

// Caller is who runs a cmdlet: an app in a tenant, with its directory roles.
type Caller struct {
	TenantID     string // GUID
	Organization string // the tenant's initial .onmicrosoft.com domain
	AppID        string
	AppName      string
	Roles        []catalog.Role
}

// AuditName is how the admin audit log records an app-only caller:
// "{organization}/{appId}" (PROTOCOL.md 5).
func (c Caller) AuditName() string { return c.Organization + "/" + c.AppID }

// Params are a cmdlet's parameters as decoded from CmdletInput.Parameters:
// string, float64, bool, nil, []any and map[string]any (hashtables, with
// their @odata.type annotations removed). Names are as the client sent
// them; cmdlets match them case-insensitively (Lookup).
type Params map[string]any

// Lookup finds a parameter case-insensitively.
func (p Params) Lookup(name string) (any, bool) {
	if v, ok := p[name]; ok {
		return v, true
	}
	for k, v := range p {
		if equalFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Call is one cmdlet invocation.
type Call struct {
	Service catalog.Service
	Cmdlet  string // as sent; matched case-insensitively
	Params  Params
	Caller  Caller
	// RequestID is the request's id, for the audit log.
	RequestID string
}

// GUID is a value the front end annotates as "#Guid".
type GUID string

// Prop is one property of an output object; Objects keep PowerShell's
// property order. Values are nil, string, bool, int64, float64, GUID,
// time.Time (annotated System.DateTime), []string (#Collection(String)),
// Object and []Object.
type Prop struct {
	Name  string
	Value any
}

// Object is one cmdlet output object.
type Object []Prop

// Get returns the value of the named property (exact name).
func (o Object) Get(name string) (any, bool) {
	for _, p := range o {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// Result is a cmdlet's output. Objects are rendered lazily, so the front
// end can serve one page of a 200,000-object result by rendering only that
// page; Count is the number of objects after ResultSize was applied.
type Result struct {
	Count    int
	Object   func(i int) Object
	Warnings []string
}

// Objects wraps a slice as a Result.
func Objects(objs []Object, warnings ...string) *Result {
	return &Result{Count: len(objs), Object: func(i int) Object { return objs[i] }, Warnings: warnings}
}

// Error is a cmdlet failure; the front end turns it into the OData error
// shape of PROTOCOL.md 3.6, with details[0].message = "ErrorID|Exception|Message".
type Error struct {
	Status    int    // HTTP status: 400, 401, 403, 404, 500
	Code      string // OData error code: BadRequest, Unauthorized, Forbidden, NotFound, InternalServerError
	ErrorID   string // e.g. Ex6F9304
	Exception string // e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException
	Message   string
	Target    string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// NotFound is the service's error for an identity that matches nothing.
func NotFound(identity string) *Error {
	return &Error{
		Status: 404, Code: "NotFound", ErrorID: "Ex6F9304",
		Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
		Message:   fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'.", identity),
		Target:    identity,
	}
}

// BadParameter is the service's error for a parameter it cannot bind.
func BadParameter(format string, args ...any) *Error {
	return &Error{
		Status: 400, Code: "BadRequest", ErrorID: "ExB7A4D5",
		Exception: "System.Management.Automation.ParameterBindingException",
		Message:   fmt.Sprintf(format, args...),
	}
}

// Invalid is the service's error for an operation that cannot be done in
// the object's current state (a duplicate, a member already present...).
func Invalid(format string, args ...any) *Error {
	return &Error{
		Status: 400, Code: "BadRequest", ErrorID: "Ex2B9E6F",
		Exception: "Microsoft.Exchange.Configuration.Tasks.TaskInvalidOperationException",
		Message:   fmt.Sprintf(format, args...),
	}
}

// ErrNotModelled marks a cmdlet the emulator does not implement; the front
// end answers it with a clear error, never a fake success.
var ErrNotModelled = errors.New("cmdlet not modelled by the emulator")

// ErrUnknownTenant marks a call for a tenant the backend holds no data
// for; the front end answers it as the service answers a URL naming no
// tenant (404), never as an internal error.
var ErrUnknownTenant = errors.New("tenant not in the emulated store")

// Backend runs cmdlets against tenant data.
type Backend interface {
	// Invoke runs one cmdlet for call.Caller.TenantID. Failures are *Error
	// or wrap ErrNotModelled; anything else is an internal error.
	Invoke(ctx context.Context, call Call) (*Result, error)
	// Modelled lists the cmdlets the backend implements for service.
	Modelled(service catalog.Service) []string
}

// Token is what the front end needs from a verified bearer token.
type Token struct {
	Audience  string // resource, e.g. https://outlook.office365.com
	TenantID  string
	AppID     string
	AppName   string
	Roles     []string // application permissions (Exchange.ManageAsApp)
	Wids      []string // directory role template ids
	ExpiresAt time.Time
}

// Errors an Authenticator returns; the front end answers both with 401
// and a WWW-Authenticate header.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("token invalid")
)

// Authenticator verifies a bearer token (signature, lifetime) and returns
// its claims.
type Authenticator func(bearer string) (Token, error)

// TenantResolver maps a URL's tenant segment (GUID or any domain,
// case-insensitive) to the tenant's GUID and initial domain.
type TenantResolver func(nameOrID string) (tenantID, organization string, ok bool)
