// The numpy major version a model's environment declares: what `mlenv validate --numpy auto`
// follows (MLflow's verdict on `inputs` / `instances` depends on it; see Inference's NumpyLine).

import Specs

/// One numpy pin and the major version it allows.
public struct DeclaredNumpy: Hashable, Sendable {
    public let major: Int
    /// The requirement as written (`numpy==1.22.4`, `numpy=1.21.2`).
    public let text: String
    public let location: SourceLocation
}

extension DeclaredEnvironment {
    /// The numpy major version the environment's numpy pin allows, when it allows exactly one of 1
    /// and 2: pip requirements (python_env.yaml's, then conda.yaml's `pip:`), then conda.yaml's
    /// dependencies. Nil when numpy is not pinned to one major version (or the pins disagree).
    public var declaredNumpy: DeclaredNumpy? {
        var found: [DeclaredNumpy] = []
        for requirement in pipRequirements(.virtualenv) + pipRequirements(.conda) where !requirement.isConstraint {
            guard let parsed = requirement.requirement, parsed.normalizedName == NormalizedName("numpy") else {
                continue
            }
            let candidates = Self.numpyCandidates(mentionedIn: requirement.text)
            let admitted = candidates.filter { parsed.specifier.contains(versionText: $0.text) }
            if let major = Self.singleMajor(admitted.map(\.major)) {
                found.append(DeclaredNumpy(major: major, text: requirement.text, location: requirement.location))
            }
        }
        for dependency in conda?.dependencies ?? [] where dependency.spec.name == "numpy" {
            guard let spec = dependency.spec.version else { continue }
            let admitted = Self.numpyCandidates(mentionedIn: dependency.text).filter { candidate in
                (try? CondaVersion(parsing: candidate.text)).map { spec.matches($0) } ?? false
            }
            if let major = Self.singleMajor(admitted.map(\.major)) {
                found.append(DeclaredNumpy(major: major, text: dependency.text, location: dependency.location))
            }
        }
        guard let first = found.first, found.allSatisfy({ $0.major == first.major }) else { return nil }
        return first
    }

    /// Released numpy versions on both lines, plus every version written in the pin itself.
    private static func numpyCandidates(mentionedIn text: String) -> [(text: String, major: Int)] {
        var texts = [
            "1.21.6", "1.22.4", "1.23.5", "1.24.4", "1.25.2", "1.26.4", "2.0.2", "2.1.3", "2.2.6", "2.3.5", "2.4.0"
        ]
        var current = ""
        for character in text + " " {
            if character.isASCII && (character.isNumber || character == ".") {
                current.append(character)
            } else {
                let trimmed = current.trimmingTrailingDots
                if trimmed.first?.isNumber == true, trimmed.count <= 32 { texts.append(trimmed) }
                current = ""
            }
        }
        return texts.compactMap { text in
            guard let major = Int(text.prefix { $0 != "." }) else { return nil }
            return (text, major)
        }
    }

    private static func singleMajor(_ majors: [Int]) -> Int? {
        let lines = Set(majors.filter { $0 == 1 || $0 == 2 })
        return lines.count == 1 ? lines.first : nil
    }
}

extension String {
    fileprivate var trimmingTrailingDots: String {
        var s = self
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
