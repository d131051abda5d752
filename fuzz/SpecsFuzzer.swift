// libFuzzer harness for the Specs parsers. Built by fuzz/build.sh together with the Specs
// sources into one module (see fuzz/README.md); the parser under test is chosen by the
// SPECS_FUZZ_TARGET environment variable, so one binary serves every target.
//
// Besides "never trap", each target checks the invariants a caller relies on, and crashes
// (so libFuzzer saves the input) when one fails:
// - what we print parses back to an equal value (round trip);
// - ordering is reflexive and antisymmetric against a fixed set of versions;
// - a matching question has the same answer asked twice and in its different forms.

import Foundation

let fuzzTarget: String = ProcessInfo.processInfo.environment["SPECS_FUZZ_TARGET"] ?? "all"

let pep440Anchors: [PEP440Version] = ["0", "1.0", "1.0a1", "1.0.post1", "1.0.dev1", "1!1.0", "1.0+local", "2.0rc1"]
    .compactMap { try? PEP440Version(parsing: $0) }
let condaAnchors: [CondaVersion] = ["0", "1.0", "1.0a1", "1.0.post1", "1.0dev1", "1!1.0", "1.0+local", "1.0_"]
    .compactMap { try? CondaVersion(parsing: $0) }

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: " + message()) }
}

func fuzzPEP440Version(_ text: String) {
    guard let v = try? PEP440Version(parsing: text) else { return }
    let again = try? PEP440Version(parsing: v.normalized)
    check(again == v && again?.normalized == v.normalized, "round trip of \(v.normalized)")
    check(again?.hashValue == v.hashValue, "hash of \(v.normalized)")
    for a in pep440Anchors {
        let c = v.compare(to: a)
        check(c == -a.compare(to: v), "antisymmetry \(v) \(a)")
        check((c == 0) == (v == a), "equality \(v) \(a)")
    }
    _ = (v.publicVersion, v.baseVersion, v.local, v.isPrerelease)
}

func fuzzSpecifierSet(_ text: String) {
    guard let set = try? SpecifierSet(parsing: text) else { return }
    let again = try? SpecifierSet(parsing: set.description)
    check(again == set, "round trip of \(set)")
    for v in pep440Anchors {
        let answer = set.contains(v)
        check(answer == set.contains(v), "stable")
        if !set.specifiers.contains(where: { $0.op == .arbitrary }) {
            check(answer == set.contains(versionText: v.normalized), "text form \(set) \(v)")
        }
        check(set.mismatches(versionText: v.normalized).isEmpty == set.contains(versionText: v.normalized), "mismatches \(set) \(v)")
    }
    _ = set.filter(pep440Anchors)
}

func fuzzRequirement(_ text: String) {
    guard let r = try? Requirement(parsing: text) else { return }
    let again = try? Requirement(parsing: r.description)
    check(again == r, "round trip of \(r)")
    if let marker = r.marker { _ = try? marker.evaluate(.target()) }
}

func fuzzMarker(_ text: String) {
    guard let m = try? Marker(parsing: text) else { return }
    let again = try? Marker(parsing: m.description)
    check(again == m, "round trip of \(m)")
    let env = MarkerEnvironment.target()
    let first = Result { () throws(SpecError) in try m.evaluate(env) }
    let second = Result { () throws(SpecError) in try (again ?? m).evaluate(env) }
    check((try? first.get()) == (try? second.get()), "evaluation of \(m)")
    _ = m.expression
}

func fuzzCondaVersion(_ text: String) {
    guard let v = try? CondaVersion(parsing: text) else { return }
    let again = try? CondaVersion(parsing: v.normalized)
    check(again == v && again?.hashValue == v.hashValue, "round trip of \(v.normalized)")
    for a in condaAnchors {
        let c = v.compare(to: a)
        check(c == -a.compare(to: v), "antisymmetry \(v) \(a)")
        _ = v.starts(with: a)
    }
    if let spec = try? CondaVersionSpec(parsing: text) {
        for a in condaAnchors { _ = spec.matches(a) }
    }
}

func fuzzCondaVersionSpec(_ text: String) {
    guard let spec = try? CondaVersionSpec(parsing: text) else { return }
    for a in condaAnchors { _ = spec.matches(a) }
    // conda's printed spec does not always mean the same ("**" prints as "*.*", a glob), so
    // the reprint is only required not to trap.
    _ = try? CondaVersionSpec(parsing: spec.description)
}

func fuzzMatchSpec(_ text: String) {
    guard let spec = try? MatchSpec(parsing: text) else { return }
    _ = try? MatchSpec(parsing: spec.description)  // conda's printed form need not read back; it must not trap
    if let v = condaAnchors.first {
        let record = MatchSpec.Record(name: "numpy", version: v, build: "py39_0", buildNumber: 3, channel: "conda-forge",
                                      subdir: "linux-64", license: "BSD", trackFeatures: ["mkl"])
        _ = spec.matches(record)
    }
    for a in condaAnchors {
        let answer = spec.matches(name: "numpy", version: a, build: "py39_0", buildNumber: 3)
        check(answer == spec.mismatches(name: "numpy", version: a, build: "py39_0", buildNumber: 3).isEmpty, "mismatches \(spec)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch fuzzTarget {
    case "pep440-version": fuzzPEP440Version(text)
    case "specifier-set": fuzzSpecifierSet(text)
    case "requirement": fuzzRequirement(text)
    case "marker": fuzzMarker(text)
    case "conda-version": fuzzCondaVersion(text)
    case "conda-version-spec": fuzzCondaVersionSpec(text)
    case "matchspec": fuzzMatchSpec(text)
    default:
        fuzzPEP440Version(text)
        fuzzSpecifierSet(text)
        fuzzRequirement(text)
        fuzzMarker(text)
        fuzzCondaVersion(text)
        fuzzCondaVersionSpec(text)
        fuzzMatchSpec(text)
    }
    return 0
}
