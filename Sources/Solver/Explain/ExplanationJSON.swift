// Explanations as JSON, written in one place for every report that carries them: `resolve
// --format json` (`explanation.causes`, `explanation.hint_details`) and lint's JSON and SARIF
// findings. Each step and hint is an object with `kind`, the fields of that kind, and `text`,
// its sentence (ExplanationText); README.md, "Explanations as data", lists the fields.

import Channels
import JSON

/// The structured part of an explanation a report carries: the steps of each problem and
/// the hints about them.
public struct ExplanationData: Hashable, Sendable {
    public var causes: [[ExplanationStep]]
    public var hints: [ExplanationHint]

    public init(causes: [[ExplanationStep]], hints: [ExplanationHint]) {
        self.causes = causes
        self.hints = hints
    }

    /// Appends `causes` (an array per problem) and `hint_details` to a report's object.
    public func append(to object: inout JSONObject) {
        object.append("causes", .array(causes.map { .array($0.map(\.json)) }))
        object.append("hint_details", .array(hints.map(\.json)))
    }
}

extension ExplanationStep {
    /// `{kind, <fields>, text}`.
    public var json: JSONValue { ExplanationJSON.object(kind: kind, fields: fields, text: description) }

    private var fields: [Field] {
        switch self {
        case .request(let origin, let requirement, let provided):
            return [string("origin", origin), string("requirement", requirement), ("provided", .bool(provided))]
        case .dependency(let p, let requirement, let provided):
            return [package("package", p), string("requirement", requirement), ("provided", .bool(provided))]
        case .constraint(let p, let requirement, let excluded):
            return [package("package", p), string("requirement", requirement), package("excludes", excluded)]
        case .sameFiles(let pypi, let conda): return [package("pypi", pypi), package("conda", conda)]
        case .conflict(let p, let requirement): return [package("package", p), string("requirement", requirement)]
        case .notInstallable(let p): return [package("package", p)]
        case .builtOnlyForPython(let p, let pythons): return [package("package", p), strings("pythons", pythons)]
        }
    }
}

extension ExplanationHint {
    /// `{kind, <fields>, text}`.
    public var json: JSONValue { ExplanationJSON.object(kind: kind, fields: fields, text: description) }

    private var fields: [Field] {
        switch self {
        case .notInIndexes(let name): return [string("name", name)]
        case .sourceOnly(let name, let versions), .condaVersions(let name, let versions):
            return [string("name", name), strings("versions", versions)]
        case .wheelsOnlyForOtherPythons(let name, let version, let tags, let target):
            return [
                string("name", name), string("version", version), strings("python_tags", tags),
                string("target_python", target)
            ]
        case .unavailable(let name, let versions, let reason):
            return [string("name", name), strings("versions", versions), ("reason", ExplanationJSON.reason(reason))]
        case .noAdmittedRelease(let name, let mirror):
            let scope = mirror.map { m -> JSONValue in
                [
                    "index": .string(m.index), "platform": .string(m.platform),
                    "pythons": ExplanationJSON.strings(m.pythons)
                ]
            }
            return [string("name", name), ("mirror", scope ?? .null)]
        case .installableVersions(let name, let target, let versions):
            return [string("name", name), string("target", target), strings("versions", versions)]
        case .virtualPackage(let name, let provided): return [string("name", name), strings("provided", provided)]
        case .noCondaPackage(let name, let channels): return [string("name", name), strings("channels", channels)]
        case .builtOnlyForPython(let requirement, let origin, let pythons, let target):
            return [
                string("requirement", requirement), string("origin", origin), strings("pythons", pythons),
                string("target_python", target)
            ]
        case .onlyMissingShown(let remote, let leftOut, let projects):
            return [("remote", .bool(remote)), number("releases_left_out", leftOut), number("projects", projects)]
        case .conflictsProven(let leftOut, let projects):
            return [number("releases_left_out", leftOut), number("projects", projects)]
        }
    }
}

/// A field of a step or hint, and how each kind of value is written.
private typealias Field = (String, JSONValue)
private func string(_ key: String, _ value: String) -> Field { (key, .string(value)) }
private func strings(_ key: String, _ values: [String]) -> Field { (key, ExplanationJSON.strings(values)) }
private func number(_ key: String, _ n: Int) -> Field { (key, .number(JSONNumber(text: String(n)))) }
private func package(_ key: String, _ p: PackageVersions) -> Field { (key, ExplanationJSON.package(p)) }

enum ExplanationJSON {
    fileprivate static func object(kind: String, fields: [Field], text: String) -> JSONValue {
        var o = JSONObject()
        o.append("kind", .string(kind))
        for (key, value) in fields { o.append(key, value) }
        o.append("text", .string(text))
        return .object(o)
    }

    /// `{name, ecosystem, versions}`.
    static func package(_ p: PackageVersions) -> JSONValue {
        ["name": .string(p.name), "ecosystem": .string(p.ecosystem), "versions": strings(p.versions)]
    }

    /// `{kind, <fields>}`: a field is a string, or a list where it may hold several values.
    static func reason(_ reason: Unavailability) -> JSONValue {
        var r = JSONObject()
        r.append("kind", .string(reason.kind))
        for field in reason.fields {
            r.append(
                field.key,
                field.value.count == 1 && !listFields.contains(field.key)
                    ? .string(field.value[0]) : strings(field.value))
        }
        return .object(r)
    }

    /// Unavailability fields that are lists even with one entry.
    private static let listFields: Set<String> = ["platforms", "python_tags", "abi_tags"]

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}
