// The roots of a mirror: PyPI requirements and conda names, from every source `mlenv mirror`
// takes. A roots file holds pip requirement lines and `conda: SPEC` lines, with pip's comment
// rule (Specs' `RequirementLine`: `#` after a space or at the start; `pkg @ URL#sha256=...`
// keeps its fragment). A model's roots come in already read (ModelFiles reads models).

import FoundationEssentials
import JSON
import Specs

public struct MirrorRoots: Sendable {
    public var pypi: [Requirement] = []
    public var conda: Set<String> = []

    public init() {}

    /// A `--requirement` given on the command line.
    public mutating func add(requirement text: String) throws(ChannelError) {
        do { pypi.append(try Requirement(parsing: text)) } catch {
            throw ChannelError("--requirement '\(text)': \(error.message)")
        }
    }

    /// A `--conda-spec` given on the command line.
    public mutating func add(condaSpec spec: String) throws(ChannelError) {
        do { conda.insert(try MatchSpec(parsing: spec).name) } catch {
            throw ChannelError("--conda-spec '\(spec)': \(error.message)")
        }
    }

    /// A roots file read from `path`.
    public mutating func add(file path: String) throws(ChannelError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ChannelError("cannot read \(path)") }
        try add(fileText: String(decoding: data, as: UTF8.self), file: path)
    }

    /// The lines of a roots file named `file` (in messages, with the line number).
    public mutating func add(fileText text: String, file: String) throws(ChannelError) {
        for (number, raw) in text.physicalLines.enumerated() {
            let line = RequirementLine.strippingComment(String(raw)).trimmingHorizontalWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("conda:") {
                let spec = line.dropFirst("conda:".count).trimmingHorizontalWhitespace()
                do { conda.insert(try MatchSpec(parsing: spec).name) } catch {
                    throw ChannelError("\(file):\(number + 1): \(error.message)")
                }
            } else {
                do { pypi.append(try Requirement(parsing: line)) } catch {
                    throw ChannelError("\(file):\(number + 1): \(error.message)")
                }
            }
        }
    }

    /// A model's declared environment: its conda package names and its pip requirements (those
    /// with a direct URL are left out: a mirror holds index files only).
    public mutating func add(modelConda names: [String], pip: [Requirement]) {
        for name in names { conda.insert(name) }
        for requirement in pip where requirement.url == nil { pypi.append(requirement) }
    }
}
