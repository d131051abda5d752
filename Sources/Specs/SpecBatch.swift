// `mlenv spec --batch`: JSON Lines in, JSON Lines out, one line per line, in order.
//
// Speed: standard input is read in one piece and the answers go out in one write; parsed specs
// and versions are cached by their text, since tools send the same few specs many times.
// Robustness: a bad line (not JSON, unknown op, missing field, unparsable spec) becomes
// {"id": ..., "error": "..."} and the batch goes on.
// The protocol is documented in `mlenv spec --help`.

import JSON

public struct SpecBatch {
    /// The two ecosystems a request names.
    enum Ecosystem: String {
        case pypi
        case conda
    }

    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
        init(_ error: SpecError) { self.message = error.singleLine }
    }

    private var pypiVersions: [String: PEP440Version] = [:]
    private var pypiSets: [String: Result<SpecifierSet, SpecError>] = [:]
    private var condaVersions: [String: Result<CondaVersion, SpecError>] = [:]
    private var matchSpecs: [String: Result<MatchSpec, SpecError>] = [:]

    public init() {}

    /// Answers every line of `input`; the result ends with a newline when non-empty.
    public mutating func run(_ input: [UInt8]) -> String {
        input.withUnsafeBufferPointer { run($0) }
    }

    /// Answers every line of `input`; the result ends with a newline when non-empty.
    public mutating func run(_ input: UnsafeBufferPointer<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(input.count / 2 + 64)
        var start = 0
        let n = input.count
        while start < n {
            var end = start
            while end < n && input[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > start && input[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            answer(UnsafeBufferPointer(rebasing: input[start..<lineEnd]), into: &out)
            start = end + 1
        }
        return out
    }

    private mutating func answer(_ line: UnsafeBufferPointer<UInt8>, into out: inout String) {
        let request: JSONValue
        do {
            request = try JSONParser.parse(line)
        } catch {
            out += "{\"id\":null,\"error\":"
            JSONWriter.appendQuoted("invalid JSON: \(error)", to: &out)
            out += "}\n"
            return
        }
        let id = request["id"] ?? .null
        out += "{\"id\":"
        JSONWriter().write(id, into: &out)
        do throws(Failure) {
            guard case .object = request else { throw Failure("a request must be a JSON object") }
            var result = ""
            try respond(to: request, into: &result)
            out += ",\"result\":"
            out += result
            out += "}\n"
        } catch {
            out += ",\"error\":"
            JSONWriter.appendQuoted(error.message, to: &out)
            out += "}\n"
        }
    }

    // MARK: Operations

    private mutating func respond(to request: JSONValue, into out: inout String) throws(Failure) {
        let op = try string(request, "op")
        switch op {
        case "compare":
            let a = try string(request, "a")
            let b = try string(request, "b")
            let order: Int
            switch try ecosystem(request) {
            case .pypi: order = try pypiVersion(a).compare(to: pypiVersion(b))
            case .conda: order = try condaVersion(a).compare(to: condaVersion(b))
            }
            out += order < 0 ? "-1" : (order == 0 ? "0" : "1")
        case "match":
            let matched: Bool
            switch try ecosystem(request) {
            case .pypi:
                let set = try pypiSet(try string(request, "spec"))
                let prereleases = try optionalBool(request, "prereleases")
                let text = try string(request, "version")
                // The parsed (and cached) version when the set compares versions only; else the
                // text, under packaging's rules for `===` and for text that is not a version.
                if !set.comparesText, let version = try? pypiVersion(text) {
                    matched = set.contains(version, prereleases: prereleases)
                } else {
                    matched = set.contains(versionText: text, prereleases: prereleases)
                }
            case .conda:
                let spec = try matchSpec(try string(request, "spec"))
                let version = try condaVersion(try string(request, "version"))
                let given = try optionalString(request, "name", message: "\"name\" must be a string")
                guard let name = spec.recordName(given) else {
                    throw Failure("missing \"name\" (the spec's name is a pattern)")
                }
                let build = try optionalString(request, "build") ?? ""
                let number = try optionalInt(request, "build_number") ?? 0
                matched = spec.matches(name: name, version: version, build: build, buildNumber: number)
            }
            out += matched ? "true" : "false"
        case "parse":
            try parse(request, into: &out)
        case "evaluate-marker":
            let markerText = try string(request, "marker")
            let marker: Marker
            do { marker = try Marker(parsing: markerText) } catch { throw Failure(error) }
            let environment = try markerEnvironment(request["environment"])
            do { out += try marker.evaluate(environment) ? "true" : "false" } catch { throw Failure(error) }
        case "normalize-name":
            JSONWriter.appendQuoted(NormalizedName(try string(request, "text")).value, to: &out)
        default:
            throw Failure("unknown op \"\(op)\" (expected compare, match, parse, evaluate-marker or normalize-name)")
        }
    }

    private mutating func parse(_ request: JSONValue, into out: inout String) throws(Failure) {
        let kind = try string(request, "kind")
        let text = try string(request, "text")
        var object = JSONObject()
        switch (try ecosystem(request), kind) {
        case (.pypi, "version"):
            let v = try pypiVersion(text)
            object.append("normalized", .string(v.normalized))
            object.append("public", .string(v.publicVersion.normalized))
            object.append("base_version", .string(v.baseVersion.normalized))
            object.append("epoch", .number(JSONNumber(text: v.epoch.description)))
            object.append("release", .array(v.release.map { .number(JSONNumber(text: $0.description)) }))
            object.append("local", .optional(v.local))
            object.append("is_prerelease", .bool(v.isPrerelease))
            object.append("is_devrelease", .bool(v.isDevRelease))
            object.append("is_postrelease", .bool(v.isPostRelease))
        case (.pypi, "specifier"):
            let set = try pypiSet(text)
            object.append("normalized", .string(set.description))
            object.append("specifiers", .array(set.specifiers.map { .string($0.description) }))
        case (.pypi, "requirement"):
            let r: Requirement
            do { r = try Requirement(parsing: text) } catch { throw Failure(error) }
            object.append("name", .string(r.name))
            object.append("normalized_name", .string(r.normalizedName.value))
            object.append(
                "extras",
                .array(
                    Set(r.extras).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.map {
                        .string($0)
                    }))
            object.append("specifier", .string(r.specifier.description))
            object.append("marker", .optional(r.marker?.description))
            object.append("url", .optional(r.url))
            object.append("normalized", .string(r.description))
        case (.pypi, "marker"):
            do { object.append("normalized", .string(try Marker(parsing: text).description)) } catch {
                throw Failure(error)
            }
        case (.conda, "version"):
            let v = try condaVersion(text)
            object.append("normalized", .string(v.normalized))
        case (.conda, "matchspec"):
            let m = try matchSpec(text)
            object.append("name", .string(m.name))
            object.append("version", .optional(m.version?.spec))
            object.append("build", .optional(m.build))
            object.append("build_number", .optional(m.buildNumber?.spec))
            object.append("channel", .optional(m.channel))
            object.append("subdir", .optional(m.subdir))
            object.append("normalized", .string(m.description))
        case (.pypi, _):
            throw Failure("unknown kind \"\(kind)\" for pypi (expected version, specifier, requirement or marker)")
        case (.conda, _):
            throw Failure("unknown kind \"\(kind)\" for conda (expected version or matchspec)")
        }
        JSONWriter().write(.object(object), into: &out)
    }

    // MARK: Cached parsing

    private mutating func pypiVersion(_ text: String) throws(Failure) -> PEP440Version {
        if let v = pypiVersions[text] { return v }
        do {
            let v = try PEP440Version(parsing: text)
            if pypiVersions.count < 1_000_000 { pypiVersions[text] = v }
            return v
        } catch {
            throw Failure(error)
        }
    }

    private mutating func pypiSet(_ text: String) throws(Failure) -> SpecifierSet {
        try Self.parsed(text, remembered: &pypiSets, upTo: 100_000) { text throws(SpecError) in
            try SpecifierSet(parsing: text)
        }
    }

    private mutating func condaVersion(_ text: String) throws(Failure) -> CondaVersion {
        try Self.parsed(text, remembered: &condaVersions, upTo: 1_000_000) { text throws(SpecError) in
            try CondaVersion(parsing: text)
        }
    }

    private mutating func matchSpec(_ text: String) throws(Failure) -> MatchSpec {
        try Self.parsed(text, remembered: &matchSpecs, upTo: 100_000) { text throws(SpecError) in
            try MatchSpec(parsing: text)
        }
    }

    /// `parse(text)`, its value or its error remembered while `cache` holds fewer than `limit`.
    private static func parsed<Value>(
        _ text: String, remembered cache: inout [String: Result<Value, SpecError>], upTo limit: Int,
        _ parse: (String) throws(SpecError) -> Value
    ) throws(Failure) -> Value {
        let result: Result<Value, SpecError>
        if let cached = cache[text] {
            result = cached
        } else {
            do throws(SpecError) { result = .success(try parse(text)) } catch { result = .failure(error) }
            if cache.count < limit { cache[text] = result }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw Failure(error)
        }
    }

    // MARK: Fields

    private func string(_ request: JSONValue, _ key: String) throws(Failure) -> String {
        guard let value = request[key] else { throw Failure("missing \"\(key)\"") }
        guard let s = value.stringValue else { throw Failure("\"\(key)\" must be a string, not \(value.kindName)") }
        return s
    }

    private func optionalString(_ request: JSONValue, _ key: String, message: String? = nil) throws(Failure) -> String?
    {
        guard let value = request[key], !value.isNull else { return nil }
        guard let s = value.stringValue else {
            throw Failure(message ?? "\"\(key)\" must be a string, not \(value.kindName)")
        }
        return s
    }

    private func optionalBool(_ request: JSONValue, _ key: String) throws(Failure) -> Bool? {
        guard let value = request[key], !value.isNull else { return nil }
        guard let b = value.boolValue else { throw Failure("\"\(key)\" must be true, false or null") }
        return b
    }

    private func optionalInt(_ request: JSONValue, _ key: String) throws(Failure) -> Int? {
        guard let value = request[key], !value.isNull else { return nil }
        guard let n = value.numberValue?.int, let i = Int(exactly: n) else {
            throw Failure("\"\(key)\" must be an integer")
        }
        return i
    }

    private func ecosystem(_ request: JSONValue) throws(Failure) -> Ecosystem {
        let text = try string(request, "ecosystem")
        guard let e = Ecosystem(rawValue: text) else {
            throw Failure("\"ecosystem\" must be \"pypi\" or \"conda\", not \"\(text)\"")
        }
        return e
    }

    private func markerEnvironment(_ value: JSONValue?) throws(Failure) -> MarkerEnvironment {
        guard let value, !value.isNull else { return MarkerEnvironment() }
        guard let object = value.objectValue else { throw Failure("\"environment\" must be an object") }
        var environment = MarkerEnvironment()
        for entry in object.entries {
            switch entry.value {
            case .string(let s): environment.values[entry.key] = s
            case .array(let items):
                var set = Set<String>()
                for item in items {
                    guard let s = item.stringValue else {
                        throw Failure("\"environment\".\"\(entry.key)\" must hold strings")
                    }
                    set.insert(s)
                }
                environment.sets[entry.key] = set
            case .null: continue
            default: throw Failure("\"environment\".\"\(entry.key)\" must be a string or a list of strings")
            }
        }
        return environment
    }
}
