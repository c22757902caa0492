package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exorun/exorun/emulator/exchange"
)

// cmdletInput is a decoded InvokeCommand body.
type cmdletInput struct {
	name   string
	params exchange.Params
}

// decodeInput reads {"CmdletInput":{"CmdletName":...,"Parameters":{...}}}
// (PROTOCOL.md 3.3). Member names are matched exactly: a client that
// misspells them should fail here as it would against the service.
func decodeInput(body []byte) (cmdletInput, error) {
	var top any
	if err := json.Unmarshal(body, &top); err != nil {
		return cmdletInput{}, fmt.Errorf("the request body is not valid JSON: %v", err)
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return cmdletInput{}, fmt.Errorf("the request body must be a JSON object holding CmdletInput")
	}
	ci, ok := obj["CmdletInput"].(map[string]any)
	if !ok {
		return cmdletInput{}, fmt.Errorf("the request body has no CmdletInput object")
	}
	name, _ := ci["CmdletName"].(string)
	if strings.TrimSpace(name) == "" {
		return cmdletInput{}, fmt.Errorf("CmdletInput has no CmdletName")
	}
	in := cmdletInput{name: strings.TrimSpace(name), params: exchange.Params{}}
	switch p := ci["Parameters"].(type) {
	case nil:
	case map[string]any:
		for k, v := range p {
			if isAnnotation(k) {
				continue
			}
			dv, err := decodeValue(v)
			if err != nil {
				return cmdletInput{}, fmt.Errorf("parameter %s: %w", k, err)
			}
			in.params[k] = dv
		}
	default:
		return cmdletInput{}, fmt.Errorf("CmdletInput.Parameters must be a JSON object")
	}
	return in, nil
}

// isAnnotation reports whether an object member is an OData annotation
// rather than data: "@odata.type" inside a hashtable, or a sibling
// "Name@odata.type" beside a hashtable[] or byte[][] parameter.
func isAnnotation(key string) bool {
	if strings.HasPrefix(key, "@") {
		return true
	}
	i := strings.LastIndexByte(key, '@')
	return i > 0 && strings.HasPrefix(key[i+1:], "odata.")
}

// decodeValue turns one parameter value into what exchange.Params holds:
// hashtables become map[string]any without annotations (nested too),
// #Exchange.ByteArrayType objects become []byte, arrays are decoded
// element by element; strings, numbers (float64), booleans and null stay
// as decoded. Switches therefore arrive as true or as the string "true"
// (PROTOCOL.md 3.3): only the cmdlet knows a parameter is a switch.
func decodeValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if t, _ := v["@odata.type"].(string); strings.EqualFold(t, "#Exchange.ByteArrayType") {
			data, ok := v["Data"].(string)
			if !ok {
				return nil, fmt.Errorf("byte array has no Data string")
			}
			b, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				// Tolerate unpadded base64; anything else is the
				// client's bug.
				if b2, err2 := base64.RawStdEncoding.DecodeString(data); err2 == nil {
					return b2, nil
				}
				return nil, fmt.Errorf("byte array Data is not base64: %v", err)
			}
			return b, nil
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			if isAnnotation(k) {
				continue
			}
			de, err := decodeValue(e)
			if err != nil {
				return nil, fmt.Errorf("key %s: %w", k, err)
			}
			out[k] = de
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			de, err := decodeValue(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = de
		}
		return out, nil
	default:
		return v, nil
	}
}
