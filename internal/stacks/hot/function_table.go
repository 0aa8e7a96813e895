package hot

import (
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// fnKind names one implementation of an intrinsic function. Several
// names may share a kind, and a name may map to different kinds in
// different versions (list_join, get_attr, repeat, str_replace, if).
type fnKind int

const (
	fnGetParam fnKind = iota + 1
	fnGetResource
	fnGetAttThenSelect // get_attr 2013-05-23
	fnGetAtt           // get_attr 2014-10-16 .. 2015-04-30
	fnGetAttAll        // get_attr from 2015-10-15: [res] gives all attributes
	fnGetFile
	fnJoin         // list_join up to 2015-04-30
	fnJoinMultiple // list_join from 2015-10-15
	fnResourceFacade
	fnReplace // str_replace up to 2015-04-30
	fnReplaceJSON
	fnReplaceStrict
	fnReplaceVStrict
	fnRepeat
	fnRepeatWithMap
	fnRepeatNested
	fnDigest
	fnStrSplit
	fnMapMerge
	fnYaql
	fnMapReplace
	fnIf
	fnIfNullable
	fnFilter
	fnMakeURL
	fnListConcat
	fnListConcatUnique
	fnContains
	fnEquals
	fnNot
	fnAnd
	fnOr
	fnRemoved // existed in an earlier version
	fnInvalid // not allowed in a condition
	fnCfnSelect
	fnCfnJoin
	fnCfnSplit
	fnCfnReplace
	fnCfnBase64
	fnCfnRef
	fnCfnGetAZs
	fnCfnMemberListToMap
	fnCfnResourceFacade
)

// fnDescriptions are the first lines of Heat's function docstrings, which
// GET /template_versions/{v}/functions shows.
var fnDescriptions = map[fnKind]string{
	fnGetParam:           "A function for resolving parameter references.",
	fnGetResource:        "A function for resolving resource references.",
	fnGetAttThenSelect:   "A function for resolving resource attributes.",
	fnGetAtt:             "A function for resolving resource attributes.",
	fnGetAttAll:          "A function for resolving resource attributes.",
	fnGetFile:            "A function for including a file inline.",
	fnJoin:               "A function for joining strings.",
	fnJoinMultiple:       "A function for joining one or more lists of strings.",
	fnResourceFacade:     "A function for retrieving data in a parent provider template.",
	fnReplace:            "A function for performing string substitutions.",
	fnReplaceJSON:        "A function for performing string substitutions.",
	fnReplaceStrict:      "A function for performing string substitutions.",
	fnReplaceVStrict:     "A function for performing string substitutions.",
	fnRepeat:             "A function for iterating over a list of items.",
	fnRepeatWithMap:      "A function for iterating over a list of items or a dict of keys.",
	fnRepeatNested:       "A function for iterating over a list of items or a dict of keys.",
	fnDigest:             "A function for performing digest operations.",
	fnStrSplit:           "A function for splitting delimited strings into a list.",
	fnMapMerge:           "A function for merging maps.",
	fnYaql:               "A function for executing a yaql expression.",
	fnMapReplace:         "A function for performing substitutions on maps.",
	fnIf:                 "A function to return corresponding value based on condition evaluation.",
	fnIfNullable:         "A function to return corresponding value based on condition evaluation.",
	fnFilter:             "A function for filtering out values from lists.",
	fnMakeURL:            "A function for performing substitutions on maps.",
	fnListConcat:         "A function for extending lists.",
	fnListConcatUnique:   "A function for extending lists with unique items.",
	fnContains:           "A function for checking whether specific value is in sequence.",
	fnEquals:             "A function for comparing whether two values are equal.",
	fnNot:                "A function that acts as a NOT operator on a condition.",
	fnAnd:                "A function that acts as an AND operator on conditions.",
	fnOr:                 "A function that acts as an OR operator on conditions.",
	fnCfnSelect:          "A function for selecting an item from a list or map.",
	fnCfnJoin:            "A function for joining strings.",
	fnCfnSplit:           "A function for splitting strings.",
	fnCfnReplace:         "A function for performing string substitutions.",
	fnCfnBase64:          "A placeholder function for converting to base64.",
	fnCfnRef:             "A function for resolving parameters or resource references.",
	fnCfnGetAZs:          "A function for retrieving the availability zones.",
	fnCfnMemberListToMap: "A function to convert lists with enumerated keys and values to mapping.",
	fnCfnResourceFacade:  "A function for retrieving data in a parent provider template.",
}

type fnEntry struct {
	name string
	kind fnKind
}

// The CFN functions removed from 2014-10-16 (and Fn::Select from
// 2015-10-15), listed as Heat lists them.
var removedCFN = []fnEntry{
	{"Fn::GetAZs", fnRemoved},
	{"Fn::Join", fnRemoved},
	{"Fn::Split", fnRemoved},
	{"Fn::Replace", fnRemoved},
	{"Fn::Base64", fnRemoved},
	{"Fn::MemberListToMap", fnRemoved},
	{"Fn::ResourceFacade", fnRemoved},
	{"Ref", fnRemoved},
}

// versionFunctions lists each version's functions in Heat's order (the
// order of GET .../functions).
var versionFunctions = map[Version][]fnEntry{
	Version20130523: {
		{"Fn::GetAZs", fnCfnGetAZs},
		{"get_param", fnGetParam},
		{"get_resource", fnGetResource},
		{"Ref", fnCfnRef},
		{"get_attr", fnGetAttThenSelect},
		{"Fn::Select", fnCfnSelect},
		{"Fn::Join", fnCfnJoin},
		{"list_join", fnJoin},
		{"Fn::Split", fnCfnSplit},
		{"str_replace", fnReplace},
		{"Fn::Replace", fnCfnReplace},
		{"Fn::Base64", fnCfnBase64},
		{"Fn::MemberListToMap", fnCfnMemberListToMap},
		{"resource_facade", fnResourceFacade},
		{"Fn::ResourceFacade", fnCfnResourceFacade},
		{"get_file", fnGetFile},
	},
	Version20141016: withRemoved([]fnEntry{
		{"get_attr", fnGetAtt},
		{"get_file", fnGetFile},
		{"get_param", fnGetParam},
		{"get_resource", fnGetResource},
		{"list_join", fnJoin},
		{"resource_facade", fnResourceFacade},
		{"str_replace", fnReplace},
		{"Fn::Select", fnCfnSelect},
	}, false),
	Version20150430: withRemoved([]fnEntry{
		{"get_attr", fnGetAtt},
		{"get_file", fnGetFile},
		{"get_param", fnGetParam},
		{"get_resource", fnGetResource},
		{"list_join", fnJoin},
		{"repeat", fnRepeat},
		{"resource_facade", fnResourceFacade},
		{"str_replace", fnReplace},
		{"Fn::Select", fnCfnSelect},
		{"digest", fnDigest},
	}, false),
	Version20151015: withRemoved(base20151015(), true),
	Version20160408: withRemoved(append(base20151015(), fnEntry{"map_merge", fnMapMerge}), true),
	Version20161014: withRemoved(newtonFunctions(fnRepeatWithMap, fnIf, false, false), true),
	Version20170224: withRemoved(newtonFunctions(fnRepeatWithMap, fnIf, true, false), true),
	Version20170901: withRemoved(newtonFunctions(fnRepeatNested, fnIf, true, true), true),
	Version20180302: withRemoved(newtonFunctions(fnRepeatNested, fnIf, true, true), true),
	Version20180831: withRemoved(newtonFunctions(fnRepeatNested, fnIf, true, true), true),
	Version20210416: withRemoved(newtonFunctions(fnRepeatNested, fnIfNullable, true, true), true),
}

func base20151015() []fnEntry {
	return []fnEntry{
		{"get_attr", fnGetAttAll},
		{"get_file", fnGetFile},
		{"get_param", fnGetParam},
		{"get_resource", fnGetResource},
		{"list_join", fnJoinMultiple},
		{"repeat", fnRepeat},
		{"resource_facade", fnResourceFacade},
		{"str_replace", fnReplaceJSON},
		{"digest", fnDigest},
		{"str_split", fnStrSplit},
	}
}

func newtonFunctions(repeat, ifKind fnKind, ocata, pike bool) []fnEntry {
	fns := []fnEntry{
		{"get_attr", fnGetAttAll},
		{"get_file", fnGetFile},
		{"get_param", fnGetParam},
		{"get_resource", fnGetResource},
		{"list_join", fnJoinMultiple},
		{"repeat", repeat},
		{"resource_facade", fnResourceFacade},
		{"str_replace", fnReplaceJSON},
		{"digest", fnDigest},
		{"str_split", fnStrSplit},
		{"map_merge", fnMapMerge},
		{"yaql", fnYaql},
		{"map_replace", fnMapReplace},
		{"if", ifKind},
	}
	if ocata {
		fns = append(fns, fnEntry{"filter", fnFilter}, fnEntry{"str_replace_strict", fnReplaceStrict})
	}
	if pike {
		fns = append(fns,
			fnEntry{"make_url", fnMakeURL},
			fnEntry{"list_concat", fnListConcat},
			fnEntry{"str_replace_vstrict", fnReplaceVStrict},
			fnEntry{"list_concat_unique", fnListConcatUnique},
			fnEntry{"contains", fnContains},
		)
	}
	return fns
}

func withRemoved(fns []fnEntry, selectRemoved bool) []fnEntry {
	if selectRemoved {
		fns = append(fns, fnEntry{"Fn::Select", fnRemoved})
	}
	return append(fns, removedCFN...)
}

// conditionFunctions lists the condition functions per version (Heat's
// condition_functions), in Heat's order.
func conditionFunctions(v Version) []fnEntry {
	switch {
	case v >= Version20170901:
		return []fnEntry{
			{"get_param", fnGetParam}, {"equals", fnEquals}, {"not", fnNot}, {"and", fnAnd}, {"or", fnOr},
			{"yaql", fnYaql}, {"contains", fnContains},
		}
	case v >= Version20161014:
		return []fnEntry{{"get_param", fnGetParam}, {"equals", fnEquals}, {"not", fnNot}, {"and", fnAnd}, {"or", fnOr}}
	}
	return nil
}

// functionTables returns the version's function table and its table for
// conditions (where other functions are invalid).
func functionTables(v Version) (fns, cond map[string]fnKind) {
	fns = map[string]fnKind{}
	cond = map[string]fnKind{}
	for _, e := range versionFunctions[v] {
		fns[e.name] = e.kind
		if e.kind == fnRemoved && v >= Version20161014 {
			cond[e.name] = fnRemoved
		} else {
			cond[e.name] = fnInvalid
		}
	}
	for _, e := range conditionFunctions(v) {
		cond[e.name] = e.kind
	}
	return fns, cond
}

func functionInfos(version string, withConditions bool) ([]FunctionInfo, error) {
	v, ok := LookupVersion(version)
	if !ok || !strings.HasPrefix(version, versionKey+".") {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: CodeNotFound, Op: op,
			Msg: "Template with version " + version + " not found"}
	}
	entries := append([]fnEntry(nil), versionFunctions[v]...)
	if withConditions {
		for _, c := range conditionFunctions(v) {
			found := false
			for i := range entries {
				if entries[i].name == c.name {
					entries[i].kind = c.kind
					found = true
				}
			}
			if !found {
				entries = append(entries, c)
			}
		}
	}
	out := []FunctionInfo{}
	for _, e := range entries {
		if e.kind == fnRemoved {
			continue
		}
		out = append(out, FunctionInfo{Name: e.name, Description: fnDescriptions[e.kind]})
	}
	return out, nil
}
