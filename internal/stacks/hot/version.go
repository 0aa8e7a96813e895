package hot

import (
	"strings"
)

// Version is a HOT version, always the date form (e.g. "2016-10-14").
// Dates compare as strings, so v >= Version20161014 means "at least
// newton".
type Version string

// The HOT versions Heat knows, oldest first.
const (
	Version20130523 Version = "2013-05-23"
	Version20141016 Version = "2014-10-16"
	Version20150430 Version = "2015-04-30"
	Version20151015 Version = "2015-10-15"
	Version20160408 Version = "2016-04-08"
	Version20161014 Version = "2016-10-14" // newton
	Version20170224 Version = "2017-02-24" // ocata
	Version20170901 Version = "2017-09-01" // pike
	Version20180302 Version = "2018-03-02" // queens
	Version20180831 Version = "2018-08-31" // rocky
	Version20210416 Version = "2021-04-16" // wallaby
)

// versions lists every version with its alias ("" when none), oldest
// first: the order of Heat's error message.
var versions = []struct {
	v     Version
	alias string
}{
	{Version20130523, ""},
	{Version20141016, ""},
	{Version20150430, ""},
	{Version20151015, ""},
	{Version20160408, ""},
	{Version20161014, "newton"},
	{Version20170224, "ocata"},
	{Version20170901, "pike"},
	{Version20180302, "queens"},
	{Version20180831, "rocky"},
	{Version20210416, "wallaby"},
}

// VersionInfo describes one version for GET /template_versions.
type VersionInfo struct {
	// Aliases are the alias names in Heat's form
	// ("heat_template_version.newton"); empty when none.
	Aliases []string
	// Type is "hot".
	Type string
	// Version is Heat's name, "heat_template_version.2016-10-14".
	Version string
}

// Versions lists the HOT versions as GET /template_versions shows them,
// oldest first.
func Versions() []VersionInfo {
	out := make([]VersionInfo, 0, len(versions))
	for _, e := range versions {
		vi := VersionInfo{Type: "hot", Version: versionKey + "." + string(e.v), Aliases: []string{}}
		if e.alias != "" {
			vi.Aliases = []string{versionKey + "." + e.alias}
		}
		out = append(out, vi)
	}
	return out
}

// LookupVersion accepts a date ("2016-10-14"), an alias ("newton"), or
// either prefixed with "heat_template_version." and returns the version.
func LookupVersion(s string) (Version, bool) {
	s = strings.TrimPrefix(s, versionKey+".")
	for _, e := range versions {
		if s == string(e.v) || (e.alias != "" && s == e.alias) {
			return e.v, true
		}
	}
	return "", false
}

// Alias returns the version's alias ("newton") or "".
func (v Version) Alias() string {
	for _, e := range versions {
		if e.v == v {
			return e.alias
		}
	}
	return ""
}

// String returns the date.
func (v Version) String() string { return string(v) }

// validVersionsText is the list in Heat's InvalidTemplateVersion message:
// all dates, then all aliases.
func validVersionsText() string {
	var dates, aliases []string
	for _, e := range versions {
		dates = append(dates, string(e.v))
		if e.alias != "" {
			aliases = append(aliases, e.alias)
		}
	}
	return strings.Join(append(dates, aliases...), ", ")
}
