// `mlenv resolve` output: text (a table, or `--tree` showing why each package is there) and
// JSON (documented in README.md, "mlenv resolve --format json").

import Channels
import Deploy
import JSON
import Solver

public enum ResolutionReport {
    public static func json(
        _ outcome: SolveOutcome, plan: DeploymentRequest, model: String, sources: SourceSummary? = nil
    ) -> JSONValue {
        var o = JSONObject()
        o.append("model", .string(model))
        o.append("deployment", .string(plan.profile.name))
        o.append("environment", .string(plan.request.mode.rawValue))
        o.append("python", .string(plan.request.target.python.description))
        o.append("target", .string(plan.request.target.description))
        switch outcome {
        case .resolved(let resolution):
            o.insertFirst("status", "ok")
            o.append("packages", .array(resolution.packages.map(package)))
            o.append("explanation", .null)
        case .unsatisfiable(let explanation):
            o.insertFirst("status", "unsatisfiable")
            o.append("packages", .array([]))
            var e = JSONObject()
            e.append("cause", .string(explanation.cause.rawValue))
            e.append("problems", .array(explanation.problems.map { .array($0.map { .string($0) }) }))
            e.append("hints", .array(explanation.hints.map { .string($0) }))
            e.append("text", .string(explanation.description))
            ExplanationData(causes: explanation.steps, hints: explanation.hintItems).append(to: &e)
            o.append("explanation", .object(e))
        }
        o.append("notes", .array(plan.notes.map { .string($0) }))
        if let sources {
            o.append(
                "sources",
                .array(
                    sources.sources.map {
                        ["ecosystem": .string($0.ecosystem), "location": .string($0.location), "live": .bool($0.live)]
                    }))
            o.append("resolved_at", .string(sources.resolvedAt))
            o.append("partial_sources", .optional(sources.partialNote))
        }
        return .object(o)
    }

    static func package(_ p: ResolvedPackage) -> JSONValue {
        var o = JSONObject()
        o.append("name", .string(p.name))
        o.append("version", .string(p.version))
        o.append("ecosystem", .string(p.ecosystem.rawValue))
        o.append("build", .optional(p.build))
        o.append("filename", .string(p.filename))
        o.append("url", .string(relativeURL(p)))
        o.append("channel", .string(p.source.split(separator: "/").last.map(String.init) ?? p.source))
        o.append("sha256", .optional(p.sha256))
        o.append("md5", .optional(p.md5))
        o.append("size", p.size.map { .number(JSONNumber(text: String($0))) } ?? .null)
        o.append("extras", .array(p.extras.map { .string($0) }))
        o.append("requested_by", .array(p.requestedBy.map { .string($0) }))
        // Only for sdists: every other package comes as a built wheel or conda package.
        if p.isSource { o.append("built_from_source", .bool(true)) }
        return .object(o)
    }

    /// A local file's location relative to its mirror root; remote URLs unchanged.
    public static func relativeURL(_ p: ResolvedPackage) -> String {
        if p.url.hasPrefix(p.source + "/") { return String(p.url.dropFirst(p.source.count + 1)) }
        return p.url
    }

    public static func text(
        _ outcome: SolveOutcome, plan: DeploymentRequest, model: String, tree: Bool, sources: SourceSummary? = nil
    ) -> String {
        let body = textBody(outcome, plan: plan, model: model, tree: tree)
        guard let sources else { return body }
        return body + (body.hasSuffix("\n") ? "" : "\n") + sources.line + "\n"
    }

    static func textBody(_ outcome: SolveOutcome, plan: DeploymentRequest, model: String, tree: Bool) -> String {
        let request = plan.request
        switch outcome {
        case .unsatisfiable(let explanation):
            let why =
                explanation.cause == .missing
                ? "something it asks for is in none of the sources" : "its requirements conflict"
            var out =
                "Cannot resolve \(model) for \(plan.profile.name) (Python \(request.target.python.minorString), \(request.mode.rawValue) environment): \(why)\n"
            out += explanation.description + "\n"
            return out
        case .resolved(let resolution):
            let conda = resolution.packages.filter { $0.ecosystem == .conda }.count
            var out =
                "Resolved \(model) for \(plan.profile.name): Python \(request.target.python.minorString), \(request.mode.rawValue) environment, "
            out += "\(resolution.packages.count) packages (\(conda) conda, \(resolution.packages.count - conda) pypi)\n"
            if tree {
                out += treeText(resolution)
            } else {
                let nameWidth = min(
                    36,
                    (resolution.packages.map {
                        $0.name.count + ($0.extras.isEmpty ? 0 : $0.extras.joined(separator: ",").count + 2)
                    }.max() ?? 10))
                let versionWidth = min(24, resolution.packages.map(\.version.count).max() ?? 8)
                for p in resolution.packages {
                    let name = p.name + (p.extras.isEmpty ? "" : "[\(p.extras.joined(separator: ","))]")
                    let why =
                        p.requestOrigins.isEmpty
                        ? "" : "  " + Array(Set(p.requestOrigins.map(\.text))).sorted().joined(separator: ", ")
                    out +=
                        "  \(p.ecosystem.rawValue.padded(6)) \(name.padded(nameWidth)) \(p.version.padded(versionWidth)) \(p.build ?? (p.platform ?? (p.isSource ? "sdist (built from source)" : "")))\(why)\n"
                }
            }
            if !plan.notes.isEmpty {
                out += "\nNotes:\n" + plan.notes.map { "  - \($0)\n" }.joined()
            }
            return out
        }
    }

    /// Requests at the top, each package under what required it first.
    static func treeText(_ resolution: Resolution) -> String {
        var children: [String: [ResolvedPackage]] = [:]
        var roots: [String: [ResolvedPackage]] = [:]
        for p in resolution.packages {
            if !p.requestOrigins.isEmpty {
                for origin in Set(p.requestOrigins.map(\.text)) { roots[origin, default: []].append(p) }
            }
            for parent in p.requestedBy where resolution.packages.contains(where: { $0.name == parent }) {
                children[parent, default: []].append(p)
            }
        }
        var out = ""
        var shown = Set<String>()
        // `├── ` for a child with siblings after it, `└── ` for the last; `│   ` continues a
        // parent's column past its children. A package already drawn is named, not expanded.
        func walk(_ p: ResolvedPackage, prefix: String, last: Bool) {
            let label = "\(p.name) \(p.version) (\(p.ecosystem.rawValue))"
            let branch = prefix + (last ? "└── " : "├── ")
            if shown.contains(p.name) {
                out += branch + label + " (see above)\n"
                return
            }
            shown.insert(p.name)
            out += branch + label + "\n"
            let kids = (children[p.name] ?? []).sorted(by: { $0.name < $1.name })
            for (i, child) in kids.enumerated() {
                walk(child, prefix: prefix + (last ? "    " : "│   "), last: i == kids.count - 1)
            }
        }
        for origin in roots.keys.sorted() {
            out += "\(origin)\n"
            let tops = (roots[origin] ?? []).sorted(by: { $0.name < $1.name })
            for (i, p) in tops.enumerated() { walk(p, prefix: "", last: i == tops.count - 1) }
        }
        return out
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension JSONObject {
    mutating func insertFirst(_ key: String, _ value: JSONValue) {
        entries.insert(Entry(key: key, value: value), at: 0)
    }
}
