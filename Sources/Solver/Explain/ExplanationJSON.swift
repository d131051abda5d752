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

    private var fields: [(String, JSONValue)] {
        typealias J = ExplanationJSON
        switch self {
        case .request(let origin, let requirement, let provided):
            return [("origin", .string(origin)), ("requirement", .string(requirement)), ("provided", .bool(provided))]
        case .dependency(let p, let requirement, let provided):
            return [("package", J.package(p)), ("requirement", .string(requirement)), ("provided", .bool(provided))]
        case .constraint(let p, let requirement, let excluded):
            return [("package", J.package(p)), ("requirement", .string(requirement)), ("excludes", J.package(excluded))]
        case .sameFiles(let pypi, let conda): return [("pypi", J.package(pypi)), ("conda", J.package(conda))]
        case .conflict(let p, let requirement):
            return [("package", J.package(p)), ("requirement", .string(requirement))]
        case .notInstallable(let p): return [("package", J.package(p))]
        case .builtOnlyForPython(let p, let pythons):
            return [("package", J.package(p)), ("pythons", J.strings(pythons))]
        }
    }
}

extension ExplanationHint {
    /// `{kind, <fields>, text}`.
    public var json: JSONValue { ExplanationJSON.object(kind: kind, fields: fields, text: description) }

    private var fields: [(String, JSONValue)] {
        typealias J = ExplanationJSON
        switch self {
        case .notInIndexes(let name): return [("name", .string(name))]
        case .sourceOnly(let name, let versions), .condaVersions(let name, let versions):
            return [("name", .string(name)), ("versions", J.strings(versions))]
        case .wheelsOnlyForOtherPythons(let name, let version, let tags, let target):
            return [
                ("name", .string(name)), ("version", .string(version)), ("python_tags", J.strings(tags)),
                ("target_python", .string(target))
            ]
        case .unavailable(let name, let versions, let reason):
            return [("name", .string(name)), ("versions", J.strings(versions)), ("reason", J.reason(reason))]
        case .noAdmittedRelease(let name, let mirror):
            let scope = mirror.map { m -> JSONValue in
                ["index": .string(m.index), "platform": .string(m.platform), "pythons": J.strings(m.pythons)]
            }
            return [("name", .string(name)), ("mirror", scope ?? .null)]
        case .installableVersions(let name, let target, let versions):
            return [("name", .string(name)), ("target", .string(target)), ("versions", J.strings(versions))]
        case .virtualPackage(let name, let provided):
            return [("name", .string(name)), ("provided", J.strings(provided))]
        case .noCondaPackage(let name, let channels):
            return [("name", .string(name)), ("channels", J.strings(channels))]
        case .builtOnlyForPython(let requirement, let origin, let pythons, let target):
            return [
                ("requirement", .string(requirement)), ("origin", .string(origin)), ("pythons", J.strings(pythons)),
                ("target_python", .string(target))
            ]
        case .onlyMissingShown(let remote, let leftOut, let projects):
            return [
                ("remote", .bool(remote)), ("releases_left_out", J.number(leftOut)), ("projects", J.number(projects))
            ]
        case .conflictsProven(let leftOut, let projects):
            return [("releases_left_out", J.number(leftOut)), ("projects", J.number(projects))]
        }
    }
}

enum ExplanationJSON {
    static func object(kind: String, fields: [(String, JSONValue)], text: String) -> JSONValue {
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

    static func number(_ n: Int) -> JSONValue { .number(JSONNumber(text: String(n))) }
}
