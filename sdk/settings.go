package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// DecodeSettings decodes a plugin's site settings
// (pluginapi.ConfigureRequest.Settings, JSON-compatible values) into out, a
// pointer to a struct whose fields carry `json` tags:
//
//	type settings struct {
//		Account    string   `json:"account"`
//		PollEvery  float64  `json:"poll_seconds"`
//		ExtraFlags []string `json:"extra_flags"`
//	}
//	var s settings
//	diags := sdk.DecodeSettings(req.Settings, &s)
//
// Fields of out that no setting names keep their values, so set defaults in
// out before calling. Every problem is reported at once as an error
// diagnostic with Attribute "settings.<key>": a key out has no field for
// (with a "did you mean" hint and the accepted keys) and a value of the wrong
// type (saying which type is expected). Keys are decoded one at a time so one
// bad key does not hide the others. An out that is not a non-nil pointer to a
// struct is a plugin bug and is reported as an error diagnostic about the
// settings as a whole.
func DecodeSettings(settings map[string]any, out any) pluginapi.Diagnostics {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return pluginapi.Diagnostics{}.Errorf("", "plugin bug: DecodeSettings needs a non-nil pointer to a struct, got %T", out)
	}
	fields := jsonFieldNames(rv.Elem().Type())
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic diagnostics
	var diags pluginapi.Diagnostics
	for _, k := range keys {
		attr := "settings." + k
		// encoding/json matches names case-insensitively; settings are
		// written exactly as documented, so require the exact name.
		if !slices.Contains(fields, k) {
			var detail strings.Builder
			if s := suggest(k, fields); s != "" {
				fmt.Fprintf(&detail, "Did you mean %q? ", s)
			}
			if len(fields) == 0 {
				detail.WriteString("This executor takes no settings.")
			} else {
				fmt.Fprintf(&detail, "This executor's settings are: %s.", strings.Join(fields, ", "))
			}
			diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr,
				Summary: fmt.Sprintf("unknown setting %q", k), Detail: detail.String()})
			continue
		}
		raw, err := json.Marshal(map[string]any{k: settings[k]})
		if err != nil {
			diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr,
				Summary: fmt.Sprintf("setting %q has a value that is not JSON-compatible", k), Detail: err.Error()})
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			diags = append(diags, settingDiag(k, err))
		}
	}
	return diags
}

// settingDiag turns a decoding error for key into a diagnostic.
func settingDiag(key string, err error) pluginapi.Diagnostic {
	d := pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: "settings." + key}
	var te *json.UnmarshalTypeError
	var unknown string
	switch {
	case asTypeError(err, &te):
		path := key
		if te.Field != "" {
			path = te.Field // the full dotted path, key included
		}
		d.Attribute = "settings." + path
		d.Summary = fmt.Sprintf("wrong type for setting %q", path)
		d.Detail = fmt.Sprintf("Want %s, got %s.", describeType(te.Type), describeJSONValue(te.Value))
	case unknownField(err, &unknown):
		// An unknown key inside an object-valued setting.
		d.Attribute = "settings." + key + "." + unknown
		d.Summary = fmt.Sprintf("unknown key %q in setting %q", unknown, key)
	default:
		d.Summary = fmt.Sprintf("invalid setting %q", key)
		d.Detail = err.Error()
	}
	return d
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// unknownField recognises encoding/json's unknown-field error, which has no
// type of its own: `json: unknown field "name"`.
func unknownField(err error, name *string) bool {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return false
	}
	n, uerr := strconv.Unquote(rest)
	if uerr != nil {
		n = rest
	}
	*name = n
	return true
}

// describeType says in a user's words what a Go type accepts.
func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a bool (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list of " + describePlural(t.Elem())
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a value of type " + t.String()
}

// describePlural names many values of type t, for describing lists.
func describePlural(t reflect.Type) string {
	switch d := describeType(t); d {
	case "a string", "a number", "an object":
		return strings.SplitN(d, " ", 2)[1] + "s"
	case "a bool (true or false)":
		return "bools"
	case "a whole number", "a whole number, 0 or more":
		return "whole numbers"
	default:
		return "values of type " + t.String()
	}
}

// describeJSONValue words encoding/json's description of the value it got
// ("string", "number", "number -1", "bool", "array", "object").
func describeJSONValue(v string) string {
	switch {
	case v == "array", v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "":
		return "something else"
	}
	return "a " + v
}

// jsonFieldNames lists the top-level JSON names of struct type t, as
// encoding/json sees them: tag names, or Go field names without a tag,
// following untagged embedded structs, skipping unexported fields and "-".
func jsonFieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, jsonFieldNames(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}
