// Specs: version and requirement semantics for both ecosystems mlenv solves across.
//
// - PyPI, following pypa/packaging 26.4 (pip's library): PEP 440 versions (`PEP440Version`),
//   specifiers and specifier sets (`VersionSpecifier`, `SpecifierSet`), PEP 508 requirements
//   and markers (`Requirement`, `Marker`, `MarkerEnvironment`), PEP 503 names (`NormalizedName`).
// - conda, following conda/models/version.py and match_spec.py: `CondaVersion` (VersionOrder),
//   `CondaVersionSpec` (VersionSpec), `MatchSpec`, `CondaBuildNumberSpec`.
//
// Every parser takes untrusted text and either returns a value or throws one `SpecError` that
// names what is wrong and where; none traps (fuzzed: fuzz/README.md). Where packaging or conda
// releases differ, the latest wins and the file says what older ones did; where mlenv differs
// deliberately, the file's header and the test that pins it say why.
//
// Layout: one file per noun of the specs (PEP440/, PEP508/, Conda/); shared text machinery
// (UTF-8 scanning, Python's character classes, string literals, a linear-time regex) in Support/.
