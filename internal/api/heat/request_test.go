package heat

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

// The expected messages were produced by CPython 3.11's json.loads and
// bytes.decode (the Python of the captured Heat 19).
func TestPyJSONError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Valid", `{"a": [1, {"b": null}], "c": -1.5e+3, "d": "\ud83d\ude00"}`, ""},
		{"EmptyObject", `{}`, ""},
		{"MissingValue", `{"stack_name": "bad", "template": }`, "Expecting value: line 1 column 35 (char 34)"},
		{"TrailingCommaObject", `{"a": 1,}`, "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)"},
		{"MissingColon", `{"a" 1}`, "Expecting ':' delimiter: line 1 column 6 (char 5)"},
		{"MissingComma", `{"a": 1 "b": 2}`, "Expecting ',' delimiter: line 1 column 9 (char 8)"},
		{"TrailingCommaArray", `{"a": [1, 2,]}`, "Expecting value: line 1 column 13 (char 12)"},
		{"MissingCommaArray", `{"a": [1 2]}`, "Expecting ',' delimiter: line 1 column 10 (char 9)"},
		{"UnterminatedString", `{"a": "x}`, "Unterminated string starting at: line 1 column 7 (char 6)"},
		{"BadEscape", `{"a": "\q"}`, `Invalid \escape: line 1 column 8 (char 7)`},
		{"ShortUnicodeEscape", `{"a": "\u12"}`, `Invalid \uXXXX escape: line 1 column 9 (char 8)`},
		{"BadUnicodeEscape", `{"a": "\u12G4"}`, `Invalid \uXXXX escape: line 1 column 9 (char 8)`},
		{"BadLowSurrogate", `{"a": "\ud800\u12G4"}`, `Invalid \uXXXX escape: line 1 column 15 (char 14)`},
		{"ControlCharacter", "{\"a\": \"tab\there\"}", "Invalid control character at: line 1 column 11 (char 10)"},
		{"ExtraData", `{"a": 1} x`, "Extra data: line 1 column 10 (char 9)"},
		{"LoneMinus", `{"a": -}`, "Expecting value: line 1 column 7 (char 6)"},
		{"LeadingZero", `{"a": 01}`, "Expecting ',' delimiter: line 1 column 8 (char 7)"},
		{"DotWithoutDigits", `{"a": 1.}`, "Expecting ',' delimiter: line 1 column 8 (char 7)"},
		{"ExponentWithoutDigits", `{"a": 1e}`, "Expecting ',' delimiter: line 1 column 8 (char 7)"},
		{"BadLiteral", `{"a": tru}`, "Expecting value: line 1 column 7 (char 6)"},
		{"OnlyBrace", `{`, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
		{"EndAfterColon", `{"a":`, "Expecting value: line 1 column 6 (char 5)"},
		{"EndAfterKey", `{"a"`, "Expecting ':' delimiter: line 1 column 5 (char 4)"},
		{"Multiline", "{\n  \"a\": 1,\n  \"b\": \n}", "Expecting value: line 4 column 1 (char 20)"},
		{"CharactersNotBytes", `{"é": "ü", "x": }`, "Expecting value: line 1 column 17 (char 16)"},
		{"UnclosedArray", `{"a": [}`, "Expecting value: line 1 column 8 (char 7)"},
		{"BackslashAtEnd", `{"a": "\`, "Unterminated string starting at: line 1 column 7 (char 6)"},
		{"UnicodeEscapeAtEnd", `{"a": "\u1234`, `Invalid \uXXXX escape: line 1 column 9 (char 8)`},
		// Python reads NaN as a float; Kiln cannot represent it.
		{"NaN", `{"a": NaN}`, "Expecting value: line 1 column 7 (char 6)"},
		{"InvalidStartByte", "{\"a\": \"\xff\"}", "'utf-8' codec can't decode byte 0xff in position 7: invalid start byte"},
		{"InvalidContinuation", "{\"a\": \"\xe2\x82\"}", "'utf-8' codec can't decode bytes in position 7-8: invalid continuation byte"},
		{"TruncatedAtEnd", "{\"a\": \"\xe2\x82", "'utf-8' codec can't decode bytes in position 7-8: unexpected end of data"},
		{"LoneStartByte", "{\"a\": \"\xe2\"}", "'utf-8' codec can't decode byte 0xe2 in position 7: invalid continuation byte"},
		{"EncodedSurrogate", "{\"a\": \"\xed\xa0\x80\"}", "'utf-8' codec can't decode byte 0xed in position 7: invalid continuation byte"},
		{"ShortFourByte", "{\"a\": \"\xf0\x9f\x98\"}", "'utf-8' codec can't decode bytes in position 7-9: invalid continuation byte"},
		{"Overlong", "{\"a\": \"\xc0\xaf\"}", "'utf-8' codec can't decode byte 0xc0 in position 7: invalid start byte"},
		{"TooDeep", strings.Repeat(`{"a":`, maxJSONDepth+1), recursionMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, pyJSONError([]byte(tt.in)))
			if tt.want == "" {
				require.True(t, json.Valid([]byte(tt.in)), "Go must accept what Python accepts")
			}
		})
	}
}

func TestPyRepr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"Bool", true, "True"},
		{"Int", json.Number("5"), "5"},
		{"NegativeZero", json.Number("-0"), "0"},
		{"Float", json.Number("5.0"), "5.0"},
		{"FloatLarge", json.Number("1e16"), "1e+16"},
		{"FloatSmall", json.Number("1.5e-5"), "1.5e-05"},
		{"FloatEdge", json.Number("0.0001"), "0.0001"},
		{"FloatExp", json.Number("1e22"), "1e+22"},
		{"List", []any{"a", nil, false}, "['a', None, False]"},
		{"Map", map[string]any{"b": "x", "a": []any{}}, "{'a': [], 'b': 'x'}"},
		{"Null", nil, "None"},
		{"QuoteDouble", `it's`, `"it's"`},
		{"QuoteEscaped", `it's "x"`, `'it\'s "x"'`},
		{"String", "password", "'password'"},
		{"StringControl", "a\nb\x01", `'a\nb\x01'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, pyRepr(tt.in))
		})
	}
	require.Equal(t, "x", pyStr("x"))
	require.Equal(t, "{'a', 'b'}", pySet([]string{"b", "a"}))
}

func TestExtractParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		f       func() (any, error)
		want    any
		message string
	}{
		{"BoolTrue", func() (any, error) { return extractBool("x", "TRUE") }, true, ""},
		{"BoolFalse", func() (any, error) { return extractBool("x", "false") }, false, ""},
		{"BoolBad", func() (any, error) { return extractBool("show_nested", "yes") }, nil,
			`Unrecognized value "yes" for "show_nested", acceptable values are: true, false.`},
		{"BoolEmpty", func() (any, error) { return extractBool("x", "") }, nil,
			`Unrecognized value "" for "x", acceptable values are: true, false.`},
		{"BoolJSON", func() (any, error) { return extractBoolJSON("x", json.RawMessage("true")) }, true, ""},
		{"BoolJSONString", func() (any, error) { return extractBoolJSON("x", json.RawMessage(`"False"`)) }, false, ""},
		{"BoolJSONNumber", func() (any, error) { return extractBoolJSON("m", json.RawMessage("1")) }, nil,
			`Unrecognized value "1" for "m", acceptable values are: true, false.`},
		{"BoolJSONNull", func() (any, error) { return extractBoolJSON("m", json.RawMessage("null")) }, nil,
			`Unrecognized value "None" for "m", acceptable values are: true, false.`},
		{"Int", func() (any, error) { return extractInt("limit", "12", true, false) }, 12, ""},
		{"IntZero", func() (any, error) { return extractInt("limit", "0", true, false) }, 0, ""},
		{"IntZeroRefused", func() (any, error) { return extractInt("limit", "0", false, false) }, nil,
			"Only non-zero integer is acceptable by 'limit'."},
		{"IntNegative", func() (any, error) { return extractInt("limit", "-1", true, false) }, nil,
			"Value '-1' is invalid for 'limit' which only accepts non-negative integer."},
		{"IntNegativeAllowed", func() (any, error) { return extractInt("x", "-1", true, true) }, -1, ""},
		{"IntWord", func() (any, error) { return extractInt("limit", "ten", true, false) }, nil,
			"Only integer is acceptable by 'limit'."},
		{"IntPlus", func() (any, error) { return extractInt("limit", "+1", true, false) }, nil,
			"Only integer is acceptable by 'limit'."},
		{"IntLeadingZero", func() (any, error) { return extractInt("limit", "01", true, false) }, nil,
			"Only integer is acceptable by 'limit'."},
		{"IntHuge", func() (any, error) { return extractInt("limit", "99999999999999999999", true, false) }, nil,
			"Value '99999999999999999999' is invalid for 'limit' which only accepts integer."},
		{"IntJSONString", func() (any, error) {
			n, err := extractIntJSON("timeout_mins", json.RawMessage(`"30"`), true, false)
			return deref(n), err
		}, 30, ""},
		{"IntJSONFloat", func() (any, error) {
			n, err := extractIntJSON("timeout_mins", json.RawMessage(`30.0`), true, false)
			return deref(n), err
		}, nil, "Only integer is acceptable by 'timeout_mins'."},
		{"IntJSONBool", func() (any, error) {
			n, err := extractIntJSON("timeout_mins", json.RawMessage(`true`), true, false)
			return deref(n), err
		}, nil, "Only integer is acceptable by 'timeout_mins'."},
		{"IntJSONNull", func() (any, error) {
			n, err := extractIntJSON("timeout_mins", json.RawMessage(`null`), true, false)
			return n == nil, err
		}, true, ""},
		{"Tags", func() (any, error) { return splitTags("a,b,") }, []string{"a", "b", ""}, ""},
		{"TagTooLong", func() (any, error) { return splitTags("a," + strings.Repeat("x", 81)) }, nil,
			`Invalid tag, "` + strings.Repeat("x", 81) + `" is longer than 80 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.f()
			if tt.message != "" {
				require.Error(t, err)
				require.Equal(t, engine.KindInvalid, engine.KindOf(err))
				require.Equal(t, "HTTPBadRequest", engine.CodeOf(err))
				require.Equal(t, tt.message, engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func TestQuery(t *testing.T) {
	t.Parallel()
	q := parseQuery("a=1&b=x+y&a=2&c&d=%2Fz&e=%zz&=v")
	require.Equal(t, [][2]string{{"a", "1"}, {"b", "x y"}, {"a", "2"}, {"c", ""}, {"d", "/z"}, {"e", "%zz"}, {"", "v"}}, q.pairs)
	v, ok := q.get("a")
	require.True(t, ok)
	require.Equal(t, "2", v, "the last value wins, as in webob")
	require.Equal(t, []string{"1", "2"}, q.getAll("a"))
	_, ok = q.single("c")
	require.False(t, ok, "an empty single parameter is dropped")
	require.Nil(t, q.mixed("c"))
	require.Equal(t, "b=x+y&c=&d=%2Fz&e=%25zz&=v&a=3", q.with("a", "3").encode())
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		present     bool
		message     string
	}{
		{"Object", "POST", "application/json", `{"a": 1, "b": [2], "a": 3}`, true, ""},
		{"CharsetParameter", "POST", "application/json; charset=utf-8", `{}`, true, ""},
		{"NoContentType", "POST", "", `{}`, true, ""},
		{"TextPlain", "POST", "text/plain", `{}`, true, ""},
		{"OtherType", "POST", "application/x-www-form-urlencoded", `{"a": 1}`, false, ""},
		{"NotAnObject", "POST", "application/json", `[1, 2]`, false, ""},
		{"LeadingSpace", "POST", "application/json", ` {"a": 1}`, false, ""},
		{"Malformed", "POST", "application/json", `{"a": }`, false, "Expecting value: line 1 column 7 (char 6)"},
		{"MalformedOnGet", "GET", "application/json", `{"a": }`, false, "Expecting value: line 1 column 7 (char 6)"},
		{"TooLarge", "POST", "application/json", `{"a": "` + strings.Repeat("x", MaxJSONBodySize) + `"}`, false,
			"Request limit exceeded: JSON body size (1048585 bytes) exceeds maximum allowed size (1048576 bytes)."},
		{"TooLargeButNotJSON", "POST", "application/json", `[` + strings.Repeat(" ", MaxJSONBodySize) + `]`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			body, err := readBody(r, query{})
			if tt.message != "" {
				require.Error(t, err)
				require.Equal(t, tt.message, engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.present, body.present())
			if tt.name == "Object" {
				require.Equal(t, []string{"a", "b"}, body.keys)
				require.Equal(t, "3", string(body.fields["a"]))
			}
		})
	}

	t.Run("ContentTypeParameterOnGet", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodGet, "/?ContentType=JSON", strings.NewReader(`{"a": 1}`))
		r.Header.Set("Content-Type", "application/xml")
		body, err := readBody(r, parseQuery("ContentType=JSON"))
		require.NoError(t, err)
		require.True(t, body.present())
	})
}

func TestFaultOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		status  int
		typ     string
		message string
	}{
		{"InvalidWithCode", &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Msg: "bad"}, 400, "StackValidationFailed", "bad"},
		{"InvalidDefault", engine.Invalid("op", "odd"), 400, "HTTPBadRequest", "odd"},
		{"NotFoundWithCode", &engine.Error{Kind: engine.KindNotFound, Code: "ResourceNotFound", Msg: "gone"}, 404, "ResourceNotFound", "gone"},
		{"NotFoundDefault", &engine.Error{Kind: engine.KindNotFound}, 404, "EntityNotFound", explainNotFound},
		{"Conflict", &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Msg: "busy"}, 409, "ActionInProgress", "busy"},
		{"ConflictDefault", engine.Conflict("op", "x"), 409, "HTTPConflict", "x"},
		{"Forbidden", engine.Forbidden("op", "no"), 403, "Forbidden", "no"},
		{"QuotaExceeded", &engine.Error{Kind: engine.KindQuotaExceeded, Msg: "Request limit exceeded: too many"}, 400,
			"RequestLimitExceeded", "Request limit exceeded: too many"},
		{"Unavailable", &engine.Error{Kind: engine.KindUnavailable, Msg: "busy store"}, 503, "HTTPServiceUnavailable", "busy store"},
		{"Unauthenticated", engine.Unauthenticated("op", "expired"), 401, "HTTPUnauthorized", "expired"},
		{"InternalHidesMessage", &engine.Error{Kind: engine.KindInternal, Code: "Secret", Msg: "secret detail"}, 500,
			"HTTPInternalServerError", explainInternal},
		{"PlainError", errorString("disk on fire"), 500, "HTTPInternalServerError", explainInternal},
		{"MethodNotAllowed", errMethodNotAllowed, 405, "HTTPMethodNotAllowed", explainBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, fault := faultOf(tt.err)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.status, fault.Code)
			require.Equal(t, http.StatusText(tt.status), fault.Title)
			require.Equal(t, tt.typ, fault.Error.Type)
			require.Equal(t, tt.message, fault.Error.Message)
			require.Nil(t, fault.Error.Traceback)
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
