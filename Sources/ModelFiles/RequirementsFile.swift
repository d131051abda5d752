// pip requirements files as pip reads them (pip/_internal/req/req_file.py):
// - a line ending in `\` continues on the next line (unless the line is a comment);
// - `#` starts a comment at the start of a line or after whitespace (`pkg#1` is not a comment);
// - tokens before the first one starting with `-` are the requirement, the rest are options
//   (so `mlflow == 1.26.1` is one requirement and `pkg --hash=sha256:...` carries a hash);
// - `-r`/`-c` paths are relative to the including file; `${VAR}` is expanded by pip at install
//   time, which mlenv cannot know, so it is reported instead;
// - a URL requirement's marker is split off at "; " (with the space), a named one's at ";".
//
// The same rules read conda.yaml `pip:` items and python_env.yaml `dependencies` items: each
// item is one logical line, located at its YAML scalar.

import FoundationEssentials
import JSON
import Specs

/// One logical line: its text and where its first character was written.
struct LogicalLine {
    let text: String
    let location: SourceLocation
}

struct RequirementsReader {
    let directory: ModelDirectory
    let environment: EnvironmentKind

    var requirements: [PipRequirement] = []
    var options: [PipOption] = []
    var diagnostics: [Diagnostic] = []
    /// Every requirements file read, model-relative, in the order first read.
    var filesRead: [String] = []
    /// Files already read whole (and whether as constraints): a file included again by another
    /// path adds nothing new, so it is read once. (Includes forming a diamond 18 levels deep
    /// were read 2^18 times.)
    private var included: Set<String> = []

    init(directory: ModelDirectory, environment: EnvironmentKind) {
        self.directory = directory
        self.environment = environment
    }

    // MARK: Entry points

    /// Reads items of a YAML list (conda.yaml `pip:`, python_env.yaml `dependencies`) written in `file`.
    mutating func read(items: [LogicalLine], baseDirectory: String, includeChain: [String]) {
        for item in items {
            read(line: item, baseDirectory: baseDirectory, isConstraint: false, includeChain: includeChain)
        }
    }

    /// Reads a requirements file named from `referencedAt`.
    mutating func include(
        _ path: String, fromDirectory base: String, isConstraint: Bool,
        referencedAt: SourceLocation, includeChain: [String]
    ) {
        if path.containsLiteral("://") {
            diagnostics.append(
                Diagnostic(
                    .warning, "remote-requirements-file",
                    "'\(path)' is fetched from the network by pip at install time; mlenv cannot read it offline, so its requirements are not included",
                    at: referencedAt))
            return
        }
        let joined = path.hasPrefix("/") ? path : (base.isEmpty ? path : base + "/" + path)
        let relative = path.hasPrefix("/") ? path : ModelDirectory.normalize(joined)
        if includeChain.contains(relative) {
            diagnostics.append(
                Diagnostic(.error, "include-cycle", Message.includeCycle(includeChain + [relative]), at: referencedAt))
            return
        }
        guard included.insert((isConstraint ? "c " : "r ") + relative).inserted else { return }
        let bytes: [UInt8]
        switch directory.read(
            path.hasPrefix("/") ? path : joined, referencedAt: referencedAt,
            missingMessage: Message.missingInclude(relative))
        {
        case .success(let b): bytes = b
        case .failure(let error):
            diagnostics.append(Diagnostic(.error, error.code, error.message, at: error.location))
            return
        }
        let text: String
        switch TextDecoding.decode(bytes, file: relative) {
        case .success(let t): text = t
        case .failure(let error):
            diagnostics.append(Diagnostic(.error, error.code, error.message, at: error.location))
            return
        }
        if !filesRead.contains(relative) { filesRead.append(relative) }
        let slash = relative.lastIndex(of: "/")
        let fileDirectory = slash.map { String(relative[..<$0]) } ?? ""
        for line in RequirementsReader.logicalLines(text, file: relative) {
            read(
                line: line, baseDirectory: fileDirectory, isConstraint: isConstraint,
                includeChain: includeChain + [relative])
        }
    }

    // MARK: Lines

    static func logicalLines(_ text: String, file: String) -> [LogicalLine] {
        var result: [LogicalLine] = []
        var pending = ""
        var pendingStart: (line: Int, column: Int)?
        let physical = text.physicalLines
        for (index, raw) in physical.enumerated() {
            let line = String(raw)
            let number = index + 1
            let isComment = startsWithComment(line)
            if line.hasSuffix("\\") && !isComment {
                if pendingStart == nil { pendingStart = (number, firstColumn(line)) }
                pending += String(line.dropLast())
                continue
            }
            let start = pendingStart ?? (number, firstColumn(line))
            let joined = pending + (isComment && !pending.isEmpty ? " " + line : line)
            pending = ""
            pendingStart = nil
            let content = stripComment(joined).trimmingWhitespace()
            if !content.isEmpty {
                result.append(
                    LogicalLine(
                        text: content, location: SourceLocation(file: file, line: start.line, column: start.column)))
            }
        }
        if let start = pendingStart {
            let content = stripComment(pending).trimmingWhitespace()
            if !content.isEmpty {
                result.append(
                    LogicalLine(
                        text: content, location: SourceLocation(file: file, line: start.line, column: start.column)))
            }
        }
        return result
    }

    private static func startsWithComment(_ line: String) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).first == "#"
    }

    /// `(^|\s+)#.*$` removed (Specs' `RequirementLine`, the one rule for requirement lines).
    static func stripComment(_ line: String) -> String {
        RequirementLine.strippingComment(line)
    }

    private static func firstColumn(_ line: String) -> Int {
        var column = 1
        for c in line {
            if c == " " || c == "\t" { column += 1 } else { break }
        }
        return column
    }

    private mutating func read(line: LogicalLine, baseDirectory: String, isConstraint: Bool, includeChain: [String]) {
        let text = line.text.trimmingWhitespace()
        if text.containsLiteral("${") {
            diagnostics.append(
                Diagnostic(
                    .warning, "environment-variable",
                    "'\(text)' uses an environment variable, which pip expands on the machine that installs; the result cannot be known here",
                    at: line.location))
        }
        // Requirement tokens come first; options start at the first token beginning with '-'.
        let tokens = text.split(separator: " ", omittingEmptySubsequences: false)
        var argumentCount = 0
        for token in tokens {
            if token.hasPrefix("-") { break }
            argumentCount += 1
        }
        let requirementText = tokens[..<argumentCount].joined(separator: " ").trimmingWhitespace()
        let optionText = tokens[argumentCount...].joined(separator: " ")
        let optionTokens: [String]
        switch ShellWords.split(optionText) {
        case .success(let t): optionTokens = t
        case .failure(let failure):
            diagnostics.append(
                Diagnostic(
                    .error, "invalid-option", "cannot read the options of this line: \(failure.message)",
                    at: line.location))
            return
        }
        let optionColumn =
            (line.location.column ?? 1)
            + (text.distance(
                from: text.startIndex,
                to: text.index(
                    text.startIndex, offsetBy: min(requirementText.count + (argumentCount > 0 ? 1 : 0), text.count))))
        let optionLocation = SourceLocation(
            file: line.location.file, line: line.location.line,
            column: requirementText.isEmpty ? line.location.column : optionColumn)

        var hashes: [String] = []
        var index = 0
        while index < optionTokens.count {
            let token = optionTokens[index]
            index += 1
            guard let parsed = PipOptionSpelling.parse(token) else {
                diagnostics.append(
                    Diagnostic(
                        .error, "unknown-option", "'\(token)' is not an option pip accepts in a requirements file",
                        at: optionLocation))
                continue
            }
            var value = parsed.inlineValue
            if parsed.spelling.takesValue && value == nil {
                guard index < optionTokens.count else {
                    diagnostics.append(
                        Diagnostic(
                            .error, "invalid-option", "\(parsed.spelling.long) needs a value", at: optionLocation))
                    continue
                }
                value = optionTokens[index]
                index += 1
            }
            switch parsed.spelling.long {
            case "--requirement", "--constraint":
                guard let path = value else { continue }
                include(
                    path, fromDirectory: baseDirectory,
                    isConstraint: isConstraint || parsed.spelling.long == "--constraint",
                    referencedAt: optionLocation, includeChain: includeChain)
            case "--editable":
                guard let target = value else { continue }
                addRequirement(target, form: .editable, hashes: [], isConstraint: isConstraint, at: optionLocation)
            case "--hash":
                if requirementText.isEmpty {
                    diagnostics.append(
                        Diagnostic(
                            .error, "invalid-option", "--hash applies to a requirement, but this line has none",
                            at: optionLocation))
                } else if let v = value {
                    hashes.append(v)
                }
            default:
                if !requirementText.isEmpty && !parsed.spelling.perRequirement {
                    diagnostics.append(
                        Diagnostic(
                            .warning, "misplaced-option",
                            "\(parsed.spelling.long) is a file-wide option; pip does not accept it on a requirement line",
                            at: optionLocation))
                }
                options.append(
                    PipOption(
                        name: parsed.spelling.long, value: value, location: optionLocation, environment: environment))
            }
        }
        if !requirementText.isEmpty {
            addRequirement(requirementText, form: nil, hashes: hashes, isConstraint: isConstraint, at: line.location)
        }
    }

    private mutating func addRequirement(
        _ text: String, form explicitForm: PipRequirement.Form?, hashes: [String],
        isConstraint: Bool, at location: SourceLocation
    ) {
        let form = explicitForm ?? RequirementsReader.form(of: text)
        switch form {
        case .named:
            do throws(SpecError) {
                let requirement = try Requirement(parsing: text)
                requirements.append(
                    PipRequirement(
                        text: text, form: .named, requirement: requirement, name: requirement.name,
                        hashes: hashes, isConstraint: isConstraint, location: location, environment: environment))
            } catch {
                let column = location.column.map { $0 + error.offset }
                diagnostics.append(
                    Diagnostic(
                        .error, "invalid-requirement", "invalid requirement '\(text)': \(error.message)",
                        at: SourceLocation(file: location.file, line: location.line, column: column)))
            }
        case .url, .path, .editable:
            let name = RequirementsReader.eggName(text)
            requirements.append(
                PipRequirement(
                    text: text, form: form, requirement: nil, name: name, hashes: hashes,
                    isConstraint: isConstraint, location: location, environment: environment))
        }
    }

    static func form(of text: String) -> PipRequirement.Form {
        let lower = text.lowercased()
        if hasURLScheme(lower) || ["git+", "hg+", "svn+", "bzr+"].contains(where: { lower.hasPrefix($0) }) {
            return .url
        }
        if let at = text.firstIndex(of: "@") {
            let before = text[..<at]
            if !before.containsLiteral("/") && !before.hasPrefix(".") { return .named }
        }
        let archiveSuffixes = [".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar"]
        if text.hasPrefix(".") || text.hasPrefix("/") || text.containsLiteral("/") || text.containsLiteral("\\")
            || archiveSuffixes.contains(where: { lower.hasSuffix($0) })
        {
            return .path
        }
        return .named
    }

    /// Starts with `scheme://` (a letter, then letters, digits, `+`, `.`, `-`): a byte scan,
    /// not a regular expression (Foundation compiles one per call).
    static func hasURLScheme(_ lower: String) -> Bool {
        let bytes = Array(lower.utf8.prefix(64))
        guard let first = bytes.first, first >= 0x61 && first <= 0x7A else { return false }
        var i = 1
        while i < bytes.count {
            let b = bytes[i]
            if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2E || b == 0x2D {
                i += 1
                continue
            }
            break
        }
        return bytes[i...].starts(with: Array("://".utf8))
    }

    /// `#egg=name` (possibly `name[extra]`) of a URL requirement.
    static func eggName(_ text: String) -> String? {
        guard let range = text.literalRange(of: "#egg=") ?? text.literalRange(of: "&egg=") else { return nil }
        var name = text[range.upperBound...].prefix { $0 != "&" && $0 != " " && $0 != ";" }
        if let bracket = name.firstIndex(of: "[") { name = name[..<bracket] }
        return name.isEmpty ? nil : String(name)
    }
}

/// The options pip accepts in requirements files (req_file.py SUPPORTED_OPTIONS and
/// SUPPORTED_OPTIONS_REQ).
struct PipOptionSpelling {
    let long: String
    let short: String?
    let takesValue: Bool
    let perRequirement: Bool

    static let all: [PipOptionSpelling] = [
        .init(long: "--requirement", short: "-r", takesValue: true, perRequirement: false),
        .init(long: "--constraint", short: "-c", takesValue: true, perRequirement: false),
        .init(long: "--editable", short: "-e", takesValue: true, perRequirement: false),
        .init(long: "--index-url", short: "-i", takesValue: true, perRequirement: false),
        .init(long: "--extra-index-url", short: nil, takesValue: true, perRequirement: false),
        .init(long: "--no-index", short: nil, takesValue: false, perRequirement: false),
        .init(long: "--find-links", short: "-f", takesValue: true, perRequirement: false),
        .init(long: "--no-binary", short: nil, takesValue: true, perRequirement: false),
        .init(long: "--only-binary", short: nil, takesValue: true, perRequirement: false),
        .init(long: "--prefer-binary", short: nil, takesValue: false, perRequirement: false),
        .init(long: "--require-hashes", short: nil, takesValue: false, perRequirement: false),
        .init(long: "--pre", short: nil, takesValue: false, perRequirement: false),
        .init(long: "--trusted-host", short: nil, takesValue: true, perRequirement: false),
        .init(long: "--use-feature", short: nil, takesValue: true, perRequirement: false),
        .init(long: "--hash", short: nil, takesValue: true, perRequirement: true),
        .init(long: "--global-option", short: nil, takesValue: true, perRequirement: true),
        .init(long: "--config-settings", short: nil, takesValue: true, perRequirement: true),
        .init(long: "--install-option", short: nil, takesValue: true, perRequirement: true)
    ]

    struct Parsed {
        let spelling: PipOptionSpelling
        let inlineValue: String?
    }

    /// `--name`, `--name=value`, `-x`, `-xvalue`.
    static func parse(_ token: String) -> Parsed? {
        if token.hasPrefix("--") {
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard let spelling = all.first(where: { $0.long == name }) else { return nil }
            return Parsed(spelling: spelling, inlineValue: parts.count > 1 ? String(parts[1]) : nil)
        }
        if token.hasPrefix("-"), token.count >= 2 {
            let flag = String(token.prefix(2))
            guard let spelling = all.first(where: { $0.short == flag }) else { return nil }
            let rest = token.dropFirst(2)
            return Parsed(spelling: spelling, inlineValue: rest.isEmpty ? nil : String(rest))
        }
        return nil
    }
}

/// POSIX shell word splitting, as `shlex.split` does for pip's option strings.
enum ShellWords {
    struct Failure: Error { let message: String }

    static func split(_ text: String) -> Result<[String], Failure> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" {
                    escaped = true
                } else {
                    current.append(c)
                }
                continue
            }
            switch c {
            case "\\":
                escaped = true
                inWord = true
            case "'", "\"":
                quote = c
                inWord = true
            case " ", "\t", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            default:
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { return .failure(Failure(message: "unterminated quote")) }
        if escaped { return .failure(Failure(message: "a trailing backslash")) }
        if inWord { words.append(current) }
        return .success(words)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
