// The caches a solve shares across threads (ChannelSet, JudgedProject, PyPIProjectFiles,
// PyPIIndex, CondaSubdirRecords: each keeps what it has read in one Mutex) give every thread
// what one thread alone gets, read from the warm caches as a second run reads them.

import Basics
import Channels
import Foundation
import Requests
import Specs
import Testing

@Suite struct SharedCachesTests {
    static let py311 = Target(python: PythonVersion(major: 3, minor: 11, micro: 9))

    private func channels(cache: String) throws -> ChannelSet {
        try ChannelSet(
            condaChannels: [CondaChannel(Paths.embeddedCondaForge)],
            pypiIndexes: [PyPIIndex(Paths.embeddedPyPI, cacheDirectory: cache + "/pypi-pages")], target: Self.py311,
            cacheDirectory: cache + "/channels")
    }

    /// What a solve reads of a name: its conda builds, and its PyPI files with their verdicts.
    private func summary(_ channels: ChannelSet, conda: String?, pypi: NormalizedName?) -> [String] {
        var lines: [String] = []
        if let conda {
            lines += channels.condaRecords(named: conda).map { "\($0.filename) \($0.depends) \($0.sha256 ?? "")" }
        }
        if let pypi, let project = try? channels.judgedProject(pypi) {
            lines += project.all.map { "\($0.file.filename) \($0.file.sha256 ?? "") \($0.verdict)" }
            lines += project.files.releases.indices.map { project.files.version(ofRelease: $0).normalized }
        }
        return lines
    }

    @Test func threadsReadingAtOnceSeeWhatOneThreadSees() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-shared-caches-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A first set writes the caches (parsed channels and pages); it answers one name at a time.
        let first = try channels(cache: root)
        // Every few names, some sixty of each (every name takes a debug build a minute).
        func spaced<T>(_ all: [T]) -> [T] { stride(from: 0, to: all.count, by: max(1, all.count / 60)).map { all[$0] } }
        let allConda = first.condaNames.sorted()
        let allPyPI = first.pypiIndexes[0].projectNames()
        try #require(allConda.count > 100 && allPyPI.count > 50)
        let condaNames = spaced(allConda)
        let pypiNames = spaced(allPyPI)
        let count = max(condaNames.count, pypiNames.count)
        let names = (0..<count).map { i in
            (conda: i < condaNames.count ? condaNames[i] : nil, pypi: i < pypiNames.count ? pypiNames[i] : nil)
        }
        let want = names.map { summary(first, conda: $0.conda, pypi: $0.pypi) }
        #expect(want.contains { !$0.isEmpty })

        // A second set maps those caches; eight threads ask for every name at once, each in
        // its own order (from its own start, every other one backwards), so that decoding a
        // name races with reading it.
        let shared = try channels(cache: root)
        let threads = 8
        let answers = Parallel.mapWaiting(Array(0..<threads), jobs: threads) { thread -> [[String]] in
            var got = Array(repeating: [String](), count: count)
            for step in 0..<count {
                let i = (thread * count / threads + (thread % 2 == 0 ? step : count - step)) % count
                got[i] = summary(shared, conda: names[i].conda, pypi: names[i].pypi)
            }
            return got
        }
        for (thread, got) in answers.enumerated() {
            #expect(got == want, "thread \(thread) read other records than one thread alone")
        }
    }
}
