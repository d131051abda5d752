// `mlenv spec`: compare versions and match specs exactly as pip (pypa/packaging 26.4) and conda
// do, for people debugging a pin (`compare`, `match`) and for tools (`--batch`, JSON Lines).
// All semantics live in the Specs module; this file only reads arguments and prints.

import ArgumentParser
import Basics
import Requests
import Specs

enum Ecosystem: String, ExpressibleByArgument, CaseIterable, Sendable {
    case pypi
    case conda
}

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Compare versions and match specs as pip and conda do.",
        discussion: """
            PyPI semantics follow pypa/packaging 26.4 (PEP 440, PEP 508): a pre-release in \
            range matches unless --prereleases false. conda semantics follow conda's \
            VersionOrder, VersionSpec and MatchSpec ("numpy=1.2" means 1.2.*).

            --batch reads JSON Lines on standard input and writes one JSON line per input \
            line, in order, and never stops on a bad line. Each request has an "id" (echoed \
            back as given) and an "op"; any error answers {"id": X, "error": "message"}.
              compare:  "ecosystem": "pypi"|"conda", "a", "b"  → "result": -1|0|1
              match:    "ecosystem": "pypi", "spec" (a specifier set), "version",
                        "prereleases": true|false|null          → "result": true|false
              match:    "ecosystem": "conda", "spec" (a MatchSpec), "name" (default: the
                        spec's), "version", "build" (""), "build_number" (0)
              parse:    "ecosystem": "pypi", "kind": "version"|"specifier"|"requirement"|
                        "marker", or "conda", "kind": "version"|"matchspec"; "text"
                        → "result": {"normalized": ..., and the parts}
              evaluate-marker: "marker", "environment": {variable: value}; a list value is
                        a set ("extras", "dependency_groups"); "extra" defaults to ""; a
                        variable the environment lacks is an error
              normalize-name:  "text"                           → "result": "foo-bar"

            Exit codes: 0 success (a batch succeeds once standard input is read), 1 `match` \
            found no match, 2 bad usage or a spec or version that does not parse.

            Examples:
              mlenv spec compare pypi 1.0.post1 1.0+local
              mlenv spec compare conda 1.1.dev1 1.1a1
              mlenv spec match pypi '>=1.0,<2' 2.0rc1
              mlenv spec match pypi '>=1.0' 2.0rc1 --prereleases false
              mlenv spec match conda 'numpy >=1.2 py3*' 1.3 --build py39_0
              echo '{"id":1,"op":"compare","ecosystem":"pypi","a":"1.0","b":"1.0.0"}' \\
                | mlenv spec --batch
            """,
        subcommands: [Compare.self, Match.self]
    ).underMLEnv()

    @Flag(help: "Read JSON Lines requests on standard input; write one JSON line per request.")
    var batch = false

    func run() throws {
        guard batch else {
            StandardError.write("error: give a subcommand (compare, match) or --batch; see 'mlenv spec --help'.\n")
            throw ReportedFailure.badInput
        }
        var batch = SpecBatch()
        StandardOutput.write(batch.run(StandardStreams.readInput()))
    }

    // MARK: compare

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Print how two versions order: A < B, A = B or A > B.",
            discussion: """
                Examples:
                  mlenv spec compare pypi 1.0 1.0.0          # 1.0 = 1.0.0
                  mlenv spec compare pypi 1.0.dev0 1.0a0     # 1.0.dev0 < 1.0a0
                  mlenv spec compare conda 1.0.1_ 1.0.1a     # 1.0.1_ < 1.0.1a (openssl convention)
                """
        )

        @Argument(help: "pypi (PEP 440) or conda (VersionOrder).")
        var ecosystem: Ecosystem
        @Argument(help: "The first version.")
        var a: String
        @Argument(help: "The second version.")
        var b: String

        func run() throws {
            let order: Int
            switch ecosystem {
            case .pypi: order = try failing { try PEP440Version(parsing: a).compare(to: PEP440Version(parsing: b)) }
            case .conda: order = try failing { try CondaVersion(parsing: a).compare(to: CondaVersion(parsing: b)) }
            }
            StandardOutput.write("\(a) \(order < 0 ? "<" : order == 0 ? "=" : ">") \(b)\n")
        }
    }

    // MARK: match

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "match",
            abstract: "Say whether a version satisfies a spec, and why not.",
            discussion: """
                pypi: SPEC is a specifier set (">=1.0,<2") or a whole requirement ("numpy>=1.0").
                conda: SPEC is a MatchSpec; the record is VERSION plus --name (default: the \
                spec's name), --build (default "") and --build-number (default 0).

                Exit code 0 when it matches, 1 when it does not, 2 when SPEC or VERSION is invalid.

                Examples:
                  mlenv spec match pypi '~=2.2' 2.9          # matches
                  mlenv spec match pypi 'numpy>=1.26,<2' 2.0.0
                  mlenv spec match conda 'numpy 1.7.*' 1.7.1
                  mlenv spec match conda 'numpy=1.7=py27*' 1.7.1 --build py27_0
                """
        )

        @Argument(help: "pypi or conda.")
        var ecosystem: Ecosystem
        @Argument(help: "The specifier set, requirement or MatchSpec.")
        var spec: String
        @Argument(help: "The candidate version.")
        var version: String
        @Option(help: "pypi: pre-release policy (true or false); default: PEP 440's.")
        var prereleases: Bool?
        @Option(help: "conda: the record's package name (default: the spec's name).")
        var name: String?
        @Option(help: "conda: the record's build string.")
        var build: String = ""
        @Option(help: "conda: the record's build number.")
        var buildNumber: Int = 0

        func validate() throws {
            if ecosystem == .pypi && (name != nil || !build.isEmpty || buildNumber != 0) {
                throw ValidationError("--name, --build and --build-number are for conda.")
            }
            if ecosystem == .conda && prereleases != nil {
                throw ValidationError("--prereleases is for pypi.")
            }
        }

        func run() throws {
            let reasons: [String]
            switch ecosystem {
            case .pypi:
                let set: SpecifierSet = try failing {
                    do { return try SpecifierSet(parsing: spec) } catch let first {
                        guard let requirement = try? Requirement(parsing: spec) else { throw first }
                        return requirement.specifier
                    }
                }
                if !set.comparesText && (try? PEP440Version(parsing: version)) == nil {
                    _ = try failing { try PEP440Version(parsing: version) }
                }
                reasons = set.mismatches(versionText: version, prereleases: prereleases).map(\.description)
            case .conda:
                let matchSpec = try failing { try MatchSpec(parsing: spec) }
                let candidate = try failing { try CondaVersion(parsing: version) }
                guard let recordName = matchSpec.recordName(name) else {
                    StandardError.write(
                        "error: the spec's name \(matchSpec.name) is a pattern; give the record's name with --name\n")
                    throw ReportedFailure.badInput
                }
                reasons = matchSpec.mismatches(
                    name: recordName, version: candidate, build: build, buildNumber: buildNumber
                )
                .map(\.description)
            }
            if reasons.isEmpty {
                StandardOutput.write("\(version) matches \(spec)\n")
            } else {
                StandardOutput.write("\(version) does not match \(spec): " + reasons.joined(separator: "; ") + "\n")
                throw ReportedFailure.verdict
            }
        }
    }
}

/// Runs a parse; on a SpecError prints it (with its caret line) to standard error and exits 2.
private func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SpecError {
        StandardError.write("error: \(error)\n")
        throw ReportedFailure.badInput
    }
}
