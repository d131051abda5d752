// conda MatchSpecs: the value, its canonical spelling and matching against package records
// (conda/models/match_spec.py).
//
// Traps (rows in CondaMatchSpecTests):
// - The canonical form is conda's `str(MatchSpec)`: an exact version goes outside brackets as
//   "==1.7", a "starts with" version as "=1.7", anything with an operator inside
//   "[version='...']"; the build goes outside ("==1.7=py27_0") only after an exact version
//   and only when it is not a glob.
// - The name and channel compare case-insensitively (conda lowercases the pattern); the build
//   compares case-sensitively.
// - Fields inside brackets override those outside, except `name`.
// - Keys conda does not know ("blas[invalid=1]") are an error.

public struct MatchSpec: Hashable, Sendable, CustomStringConvertible {
    public static let fieldNames = [
        "channel", "subdir", "name", "version", "build", "build_number", "track_features", "features",
        "url", "md5", "sha256", "license", "license_family", "fn", "when", "extras", "flags"
    ]

    /// What a MatchSpec can be matched against (named `MatchSpec.Record` so it does not clash
    /// with the Channels module's repodata record). Optional fields a record lacks only fail a
    /// spec that constrains them.
    public struct Record: Hashable, Sendable {
        public var name: String
        public var version: CondaVersion
        public var build: String
        public var buildNumber: Int
        public var channel: String?
        public var subdir: String?
        public var md5: String?
        public var sha256: String?
        public var license: String?
        public var licenseFamily: String?
        public var fn: String?
        public var url: String?
        public var trackFeatures: [String]
        public var features: [String]

        public init(
            name: String, version: CondaVersion, build: String, buildNumber: Int, channel: String? = nil,
            subdir: String? = nil, md5: String? = nil, sha256: String? = nil, license: String? = nil,
            licenseFamily: String? = nil, fn: String? = nil, url: String? = nil, trackFeatures: [String] = [],
            features: [String] = []
        ) {
            self.name = name
            self.version = version
            self.build = build
            self.buildNumber = buildNumber
            self.channel = channel
            self.subdir = subdir
            self.md5 = md5
            self.sha256 = sha256
            self.license = license
            self.licenseFamily = licenseFamily
            self.fn = fn
            self.url = url
            self.trackFeatures = trackFeatures
            self.features = features
        }
    }

    /// The text as written.
    public let source: String
    /// The name pattern, lowercased ("*" matches every name).
    public let name: String
    public let version: CondaVersionSpec?
    /// The build-string pattern as written (glob, "^...$" regex or exact text).
    public let build: String?
    public let buildNumber: CondaBuildNumberSpec?
    /// The channel as conda keeps it ("conda-forge", "defaults", a non-alias URL, "*").
    public let channel: String?
    public let subdir: String?
    /// Other bracket fields, as conda stores them (lowercased where conda lowercases).
    public let fields: [String: String]

    let namePattern: TextPattern
    let buildPattern: TextPattern?
    let channelPattern: TextPattern?

    public init(parsing text: String) throws(SpecError) {
        let c = try Self.parseComponents(text)
        try self.init(source: text, components: c)
    }

    init(source: String, components c: Components) throws(SpecError) {
        func fail(_ message: String) -> SpecError {
            SpecError(
                message: "Invalid MatchSpec \(pythonRepr(source)): \(message)", input: source, offset: 0,
                length: source.count)
        }
        self.source = source
        var name = PythonText.lower(c.name)
        var versionText = c.version
        var buildText = c.build
        var buildNumberText: String?
        var channel = c.channel
        var subdir = c.subdir
        var fields: [String: String] = [:]
        for (key, value) in c.brackets {
            switch key {
            case "version": versionText = value
            case "build": buildText = value
            case "build_number": buildNumberText = value
            case "channel": channel = CondaChannel.parse(value).channel
            case "subdir": subdir = value
            case "name": name = PythonText.lower(value)
            case "license", "license_family", "when": fields[key] = PythonText.lower(value)
            default:
                guard Self.fieldNames.contains(key) else {
                    throw fail("Cannot match on field(s): {\(pythonRepr(key))}")
                }
                fields[key] = value
            }
        }
        self.name = name
        namePattern = try Self.pattern(name, fail: fail)
        do { version = try versionText.map { t throws(SpecError) in try CondaVersionSpec(parsing: t) } } catch {
            throw fail(error.message)
        }
        build = buildText
        buildPattern = try buildText.map { t throws(SpecError) in try Self.pattern(t, fail: fail) }
        do {
            buildNumber = try buildNumberText.map { t throws(SpecError) in try CondaBuildNumberSpec(parsing: t) }
        } catch {
            throw fail(error.message)
        }
        self.channel = channel
        if let channel, (channel.hasScalarPrefix("^") && channel.hasScalarSuffix("$")) || channel.containsScalar("*") {
            let rx = channel.hasScalarPrefix("^") ? channel : "^(?:" + channel.replacingStars() + ")$"
            do { channelPattern = try TextPattern(regex: rx, displayedAs: channel) } catch {
                throw fail("invalid channel pattern")
            }
        } else {
            channelPattern = nil
        }
        self.subdir = subdir
        self.fields = fields
    }

    /// conda's `GlobStrMatch`: "^...$" is a regex, "*" a glob, anything else exact text.
    static func pattern(_ text: String, fail: (String) -> SpecError) throws(SpecError) -> TextPattern {
        if text.hasScalarPrefix("^") && text.hasScalarSuffix("$") && text.unicodeScalars.count >= 2 {
            do { return try TextPattern(regex: text) } catch {
                throw fail("Contains an invalid regular expression: \(text)")
            }
        }
        return TextPattern(glob: text)
    }

    // MARK: Matching

    /// Matches name, version, build and build number (conda's `MatchSpec.match` on a record
    /// that has only those). Channel, subdir and other fields are not checked here.
    public func matches(name: String, version: CondaVersion, build: String, buildNumber: Int) -> Bool {
        guard namePattern.matches(name) else { return false }
        if let v = self.version, !v.matches(version) { return false }
        if let b = buildPattern, !b.matches(build) { return false }
        if let n = self.buildNumber, !n.matches(buildNumber) { return false }
        return true
    }

    /// The name and version parts alone: with `matchesBuild`, what `matches(name:version:build:buildNumber:)`
    /// checks, split for callers that match many builds of one version at once.
    public func matches(name: String, version: CondaVersion) -> Bool {
        guard namePattern.matches(name) else { return false }
        if let v = self.version, !v.matches(version) { return false }
        return true
    }

    /// The build string and build number parts alone.
    public func matchesBuild(_ build: String, buildNumber: Int) -> Bool {
        if let b = buildPattern, !b.matches(build) { return false }
        if let n = self.buildNumber, !n.matches(buildNumber) { return false }
        return true
    }

    /// Matches every field the spec constrains against the record.
    public func matches(_ record: Record) -> Bool {
        guard matches(name: record.name, version: record.version, build: record.build, buildNumber: record.buildNumber)
        else {
            return false
        }
        if let channel, channel != "*" {
            guard let recordChannel = record.channel else { return false }
            let canonical = CondaChannel.parse(recordChannel).channel ?? recordChannel
            if let p = channelPattern {
                if !p.matches(canonical) { return false }
            } else if PythonText.lower(canonical) != PythonText.lower(channel) {
                return false
            }
        }
        if let subdir, subdir != record.subdir { return false }
        for (key, value) in fields {
            switch key {
            case "md5": if record.md5 != value { return false }
            case "sha256": if record.sha256 != value { return false }
            case "fn": if record.fn != value { return false }
            case "url": if record.url != value { return false }
            case "license": if !Self.caseInsensitive(value, record.license) { return false }
            case "license_family": if !Self.caseInsensitive(value, record.licenseFamily) { return false }
            case "track_features":
                if Self.featureSet(value) != Set(record.trackFeatures.filter { !$0.isEmpty }) { return false }
            case "features": if Self.featureSet(value) != Set(record.features.filter { !$0.isEmpty }) { return false }
            default: continue  // when / extras / flags: conditions, not record fields
            }
        }
        return true
    }

    static func caseInsensitive(_ pattern: String, _ value: String?) -> Bool {
        guard let value else { return false }
        return TextPattern(glob: pattern).matches(PythonText.lower(value))
    }

    static func featureSet(_ text: String) -> Set<String> {
        Set(
            text.split(whereSeparator: { $0 == " " || $0 == "," }).map { PythonText.strip(String($0)) }.filter {
                !$0.isEmpty
            })
    }

    // MARK: Canonical spelling (conda's `MatchSpec.__str__`)

    public var description: String {
        var builder = ""
        var brackets: [String] = []
        let channelIsExact = channel != nil && channelPattern == nil
        if let channel {
            if channelIsExact { builder += channel } else if channel != "*" { brackets.append("channel=\(channel)") }
        }
        if let subdir {
            if channelIsExact { builder += "/" + subdir } else { brackets.append("subdir=\(subdir)") }
        }
        builder += builder.isEmpty ? name : "::" + name
        var versionExact = false
        if let version {
            let v = version.spec
            if v.containsAnyScalar(of: "><$^|,") {
                brackets.append("version='\(v)'")
            } else if v.hasScalarPrefix("!=") || v.hasScalarPrefix("~=") {
                if build != nil { brackets.append("version='\(v)'") } else { builder += v }
            } else if v.hasScalarSuffix(".*") {
                builder += "=" + v.droppingLastScalars(2)
            } else if v.scalarsEqual("*") {
                // conda issue 14357: no empty "=".
            } else if v.hasScalarSuffix("*") {
                builder += "=" + v.droppingLastScalars(1)
            } else if v.hasScalarPrefix("==") {
                builder += v
                versionExact = true
            } else {
                builder += "==" + v
                versionExact = true
            }
        }
        if let build {
            if build.containsAnyScalar(of: "><$^|,") {
                brackets.append("build='\(build)'")
            } else if build.containsScalar("*") {
                brackets.append("build=\(build)")
            } else if versionExact {
                builder += "=" + build
            } else {
                brackets.append("build=\(build)")
            }
        }
        for key in Self.fieldNames {
            let value: String
            switch key {
            case "channel", "subdir", "name", "version", "build": continue
            case "build_number":
                guard let b = buildNumber else { continue }
                value = b.spec
            case "fn" where fields["url"] != nil && fields["fn"] != nil: continue
            case "url" where channel != nil: continue
            case "track_features", "features":
                guard let raw = fields[key] else { continue }
                value = Self.featureSet(raw).sorted().joined(separator: " ")
            case "extras", "flags":
                guard let raw = fields[key] else { continue }
                let items = raw.split(whereSeparator: { $0 == " " || $0 == "," }).map { PythonText.strip(String($0)) }
                    .filter { !$0.isEmpty }
                value = "[" + items.sorted().map { "'\($0)'" }.joined(separator: ", ") + "]"
            default:
                guard let raw = fields[key] else { continue }
                value = raw
            }
            if value.hasScalarPrefix("[") && (key == "extras" || key == "flags") {
                brackets.append("\(key)=\(value)")
            } else if value.containsAnyScalar(of: ", =") {
                brackets.append("\(key)='\(value)'")
            } else {
                brackets.append("\(key)=\(value)")
            }
        }
        if !brackets.isEmpty { builder += "[" + brackets.joined(separator: ",") + "]" }
        return builder
    }

    public static func == (a: MatchSpec, b: MatchSpec) -> Bool {
        a.description.scalarsEqual(b.description)
            && a.fields.count == b.fields.count
            && a.fields.allSatisfy { key, value in b.fields[key].map { $0.scalarsEqual(value) } == true }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(Array(description.utf8)) }
}

extension String {
    /// conda's channel glob: "*" becomes ".*", nothing else is escaped.
    func replacingStars() -> String {
        var out = ""
        for c in unicodeScalars {
            if c == "*" { out += ".*" } else { out.unicodeScalars.append(c) }
        }
        return out
    }
}

extension MatchSpec {
    /// Why a record does not match, as data (for "why not" messages and solver hints).
    public enum Mismatch: Hashable, Sendable, CustomStringConvertible {
        case name(expected: String, found: String)
        case version(expected: CondaVersionSpec, found: String)
        case build(expected: String, found: String)
        case buildNumber(expected: CondaBuildNumberSpec, found: Int)

        public var description: String {
            switch self {
            case .name(let e, let f): return "name \(pythonRepr(f)) does not match \(pythonRepr(e))"
            case .version(let e, let f): return "version \(f) does not satisfy \(e.spec)"
            case .build(let e, let f): return "build \(pythonRepr(f)) does not match \(pythonRepr(e))"
            case .buildNumber(let e, let f): return "build number \(f) does not satisfy \(e.spec)"
            }
        }
    }

    /// Every reason `matches(name:version:build:buildNumber:)` is false; empty when it is true.
    public func mismatches(name: String, version: CondaVersion, build: String, buildNumber: Int) -> [Mismatch] {
        var out: [Mismatch] = []
        if !namePattern.matches(name) { out.append(.name(expected: self.name, found: name)) }
        if let v = self.version, !v.matches(version) { out.append(.version(expected: v, found: version.source)) }
        if let b = buildPattern, let text = self.build, !b.matches(build) {
            out.append(.build(expected: text, found: build))
        }
        if let n = self.buildNumber, !n.matches(buildNumber) {
            out.append(.buildNumber(expected: n, found: buildNumber))
        }
        return out
    }

    /// Whether the name pattern is a glob or regex rather than one name.
    public var hasNamePattern: Bool { !namePattern.isExactText }

    /// The package name to match a record by: `given`, else the spec's own name when it is one
    /// name; nil when neither is known (the spec's name is a pattern and none was given).
    public func recordName(_ given: String?) -> String? {
        given ?? (hasNamePattern ? nil : name)
    }
}
