// `mlenv mirror -r FILE` roots, read without the binary: pip's comment rule (a `#` inside
// `pkg @ URL#sha256=...` is not a comment), `conda:` lines, and errors naming file and line.

import Specs
import Testing

@testable import Channels

@Suite struct MirrorRootsTests {
    @Test func aHashInsideARequirementIsNotAComment() throws {
        var roots = MirrorRoots()
        try roots.add(
            fileText: """
                # roots
                numpy==1.26.4  # the numpy line
                pkg @ https://files.example/pkg-1.0-py3-none-any.whl#sha256=abc
                conda: python >=3.10 # for conda
                conda:libgfortran

                """, file: "roots.txt")
        #expect(roots.pypi.map(\.name) == ["numpy", "pkg"])
        #expect(roots.pypi[0].specifier.description == "==1.26.4")
        #expect(roots.pypi[1].url == "https://files.example/pkg-1.0-py3-none-any.whl#sha256=abc")
        #expect(roots.conda == ["python", "libgfortran"])
    }

    @Test func aHashWithoutSpaceIsPartOfTheLineAndFailsAsPipWould() {
        var roots = MirrorRoots()
        #expect(throws: ChannelError.self) { try roots.add(fileText: "ok==1\npkg#1\n", file: "roots.txt") }
        do {
            try roots.add(fileText: "ok==1\npkg#1\n", file: "roots.txt")
        } catch {
            #expect(error.message.hasPrefix("roots.txt:2: "))
        }
    }

    @Test func aModelsDirectURLRequirementsAreLeftOut() throws {
        var roots = MirrorRoots()
        try roots.add(
            modelConda: ["python", "pip"],
            pip: [try Requirement(parsing: "numpy"), try Requirement(parsing: "pkg @ https://files.example/pkg.whl")])
        #expect(roots.pypi.map(\.name) == ["numpy"])
        #expect(roots.conda == ["python", "pip"])
    }

    @Test func commandLineRootsNameTheirOption() {
        var roots = MirrorRoots()
        #expect { try roots.add(requirement: "numpy>=") } throws: {
            ($0 as? ChannelError)?.message.hasPrefix("--requirement 'numpy>=': ") == true
        }
        #expect { try roots.add(condaSpec: "numpy >=1 =") } throws: {
            ($0 as? ChannelError)?.message.hasPrefix("--conda-spec 'numpy >=1 =': ") == true
        }
    }
}

@Suite struct MirrorReportTextTests {
    @Test func condaLinesSayWhatWasWrittenMergedAndMissing() {
        var report = CondaMirrorReport()
        report.names = 2
        report.records = 5
        #expect(
            report.lines(writtenTo: "out/conda-forge") == [
                "mirror: conda: 2 package name(s), 5 record(s) written to out/conda-forge"
            ])
        report.extended = true
        report.mirrorRecords = 9
        report.updated = 1
        report.missing = ["nope", "gone"]
        #expect(
            report.lines(writtenTo: "o/c") == [
                "mirror: conda: 2 package name(s), 5 record(s) written to o/c; merged into the existing subset, which now holds 9 record(s); 1 record(s) updated from the upstream (same file, newer metadata)",
                "mirror: conda: not in the upstream channel: nope, gone"
            ])
    }

    @Test func pypiLinesCountMetadataBySource() {
        var report = PyPIMirrorReport()
        report.projects = 3
        report.files = 7
        report.metadataFetched = 4
        report.metadataFromWheels = 1
        report.metadataReused = 2
        report.missing = ["absent"]
        #expect(
            report.lines == [
                "mirror: pypi: 3 project(s), 7 file(s); metadata 4 fetched, 1 read from wheels, 2 reused",
                "mirror: pypi: not on the upstream index: absent"
            ])
    }
}
