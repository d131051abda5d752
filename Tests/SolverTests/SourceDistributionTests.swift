// Releases with no wheel for the target, taken from their sdists (fixtures/indexes/sdists, made
// by its make.py: each sdist carries an in-tree PEP 517 backend, so pip's real hooks run with
// no index): dependencies from PKG-INFO where PEP 643 allows it (no Python runs), else from the
// backend through pip (kept by the sdist's hash); --only-binary and --no-build refuse them; a
// backend that fails is a reason, not a crash.

import Basics
import Channels
import Foundation
import Requests
import Solver
import Specs
import Testing

@Suite(.serialized) struct SourceDistributionTests {
    static let index = Data.path("fixtures/indexes/sdists")

    func channels(python: String?, cache: String? = nil, onlyBinary: Set<NormalizedName> = [], reader: Bool = true)
        throws -> ChannelSet
    {
        let indexes = [try PyPIIndex(Self.index)]
        let set = try ChannelSet(
            condaChannels: [], pypiIndexes: indexes, target: Target(python: PythonVersion(major: 3, minor: 11)))
        if reader {
            set.sdists = SdistMetadataReader(
                python: python, cacheDirectory: cache, indexes: indexes, onlyBinary: onlyBinary)
        }
        return set
    }

    func solve(_ channels: ChannelSet, _ requirements: [String]) throws -> SolveOutcome {
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv, pip: try requirements.map { try Data.pip($0) })
        return try Resolver(channels: channels).solve(request)
    }

    func versions(_ outcome: SolveOutcome) -> [String: String] {
        guard case .resolved(let resolution) = outcome else { return [:] }
        return Dictionary(uniqueKeysWithValues: resolution.packages.map { ($0.name, $0.version) })
    }

    func explanation(_ outcome: SolveOutcome) -> String {
        if case .unsatisfiable(let explanation) = outcome { return explanation.description }
        return ""
    }

    /// PKG-INFO 2.2 with nothing Dynamic is read as the dependencies: no Python is run (the
    /// reader has none), and the sdist is marked as built from source in the resolution.
    @Test func staticPKGINFOIsReadWithoutABuild() throws {
        let outcome = try solve(channels(python: nil), ["staticdep"])
        #expect(versions(outcome) == ["staticdep": "1.0", "six": "1.17.0"])
        guard case .resolved(let resolution) = outcome else { return }
        #expect(resolution.package("staticdep")?.isSource == true)
        #expect(resolution.package("six")?.isSource == false)
        // A directory of files lists no hashes: the lock line gets the file's own.
        let digest = Digester.hex(.sha256, of: try #require(FileBytes.readPlain(Self.index + "/staticdep-1.0.tar.gz")))
        #expect(
            resolution.package("staticdep")?.sha256 == digest, "\(String(describing: resolution.package("staticdep")))")
    }

    /// PKG-INFO 2.1 promises nothing: the backend's metadata hook runs through pip (offline: the
    /// sdist's backend needs nothing), and its answer is kept by the sdist's hash, so a reader
    /// that cannot run Python at all still has it.
    @Test func dynamicMetadataComesFromTheBackendOnce() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-sdist-meta-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let built = try solve(channels(python: "python3", cache: cache), ["dynamicdep"])
        #expect(versions(built) == ["dynamicdep": "2.0", "staticdep": "1.0", "six": "1.17.0"], "\(explanation(built))")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".metadata") }.count == 1)
        let kept = try solve(channels(python: "/nonexistent/python", cache: cache), ["dynamicdep"])
        #expect(versions(kept) == versions(built))
        // Without the kept answer and without a Python, the reason says what is missing.
        let refused = try solve(channels(python: nil), ["dynamicdep"])
        #expect(versions(refused).isEmpty)
        #expect(explanation(refused).contains("does not declare its dependencies (PEP 643)"), "\(explanation(refused))")
    }

    /// Wheels first (pip's --prefer-binary): a newer release that is only an sdist is taken
    /// only when no wheel meets the requirement.
    @Test func wheelsComeFirst() throws {
        let set = try channels(python: nil)
        #expect(versions(try solve(set, ["preferdep"])) == ["preferdep": "1.0"])
        let newer = try solve(set, ["preferdep>=2"])
        #expect(versions(newer) == ["preferdep": "2.0"])
        if case .resolved(let resolution) = newer { #expect(resolution.package("preferdep")?.isSource == true) }
    }

    /// --only-binary NAME and --no-build (no reader) leave the sdist out, and the explanation
    /// says it exists only as an sdist, as before builds were possible.
    @Test func refusedBuildsLeaveTheSdistOut() throws {
        for set in [
            try channels(python: nil, onlyBinary: [NormalizedName("staticdep")]),
            try channels(python: nil, reader: false)
        ] {
            let outcome = try solve(set, ["staticdep"])
            #expect(versions(outcome).isEmpty)
            #expect(explanation(outcome).contains("only as source distributions"), "\(explanation(outcome))")
        }
    }

    /// A backend that cannot prepare metadata is a reason for that release, with pip's words.
    @Test func aFailingBackendIsAReason() throws {
        let outcome = try solve(channels(python: "python3"), ["brokendep"])
        #expect(versions(outcome).isEmpty)
        let text = explanation(outcome)
        #expect(text.contains("brokendep-1.0.tar.gz"), "\(text)")
        #expect(text.contains("could not prepare its metadata") || text.contains("could not be read"), "\(text)")
    }

    /// The JSON form of pip's report (`--report`) becomes metadata one header per value: a line
    /// break inside a value is refused, not turned into a header of its own.
    @Test func pipReportValuesStayOneHeaderEach() throws {
        let report =
            #"{"install":[{"metadata":{"metadata_version":"2.1","name":"x","version":"1.0","requires_dist":["six>=1","y; extra == 'z'"],"provides_extra":["z"]}}]}"#
        let metadata = try SdistMetadataReader.metadataFromReport(Array(report.utf8), filename: "x-1.0.tar.gz")
        #expect(metadata.requiresDist.map(\.description) == ["six>=1", "y; extra == \"z\""])
        #expect(metadata.providesExtra == ["z"])
        let hostile =
            #"{"install":[{"metadata":{"name":"x","version":"1.0","requires_dist":["six\nRequires-Dist: evil"]}}]}"#
        #expect(throws: ChannelError.self) {
            try SdistMetadataReader.metadataFromReport(Array(hostile.utf8), filename: "x-1.0.tar.gz")
        }
    }
}
