// Whole-text snapshots of explanations, one scenario per step kind and per kind of reason a
// file is left out, each a channel + a request + the expected text (Support/ExplanationCase.swift
// over Support/ChannelBuilder.swift), then checked as data: the steps and hints are what lint
// and `--format json` read, the text is written from them.

import Channels
import JSON
import Requests
import Specs
import Testing

@testable import Solver

@Suite struct ExplanationSnapshotTests {
    // MARK: step kinds

    @Test func requestAndDependency() throws {
        let e = try ExplanationCase(
            ChannelBuilder().pypi("app", "1.0", requires: ["lib<2"]).pypi("app", "1.1", requires: ["lib<2"])
                .pypi("lib", "2.0")
        )
        .pip("app>=1")
        .expect(
            """
              - requirements.txt:1:1 requires app>=1
              - app 1.0, 1.1 (pypi) require lib<2, which no package in the channels provides
            Hints:
              - the configured indexes have no release of lib that this requirement admits
              - lib versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 2.0
            """)
        #expect(
            e?.steps == [
                [
                    .request(origin: "requirements.txt:1:1", requirement: "app>=1", provided: true),
                    .dependency(
                        PackageVersions(name: "app", ecosystem: "pypi", versions: ["1.0", "1.1"]), requirement: "lib<2",
                        provided: false)
                ]
            ])
        #expect(e?.steps[0].compactMap(\.unprovided) == ["lib<2"])
    }

    @Test func constraint() throws {
        let e = try ExplanationCase(
            ChannelBuilder().python("3.11.9").conda("plugin", "1.0", noarch: true, constrains: ["core <2"])
                .conda("core", "2.0", noarch: true)
        )
        .conda("python=3.11.9", at: "conda.yaml:4:3").conda("plugin", at: "conda.yaml:5:3")
        .conda("core=2.0", at: "conda.yaml:6:3")
        .expect(
            """
              - conda.yaml:6:3 requires core=2.0
              - conda.yaml:5:3 requires plugin
              - plugin 1.0 (conda) constrains core <2, which excludes core 2.0 (conda)
            """)
        #expect(e?.steps.first?.last?.kind == "constraint")
    }

    /// In a conda environment a wheel conflicts with every conda build of its project.
    @Test func sameFiles() throws {
        let e = try ExplanationCase(
            ChannelBuilder().python("3.11.9").conda("pandas", "1.0", noarch: true, depends: ["python >=3.8"])
                .pypi("pandas", "2.0")
        )
        .conda("python=3.11.9", at: "conda.yaml:4:3").conda("pandas=1.0", at: "conda.yaml:5:3")
        .pip("pandas==2.0", at: "conda.yaml:7:7")
        .expect(
            """
              - conda.yaml:7:7 requires pandas==2.0
              - conda.yaml:5:3 requires pandas=1.0
              - pandas 2.0 (pypi) and pandas 1.0 (conda) both install pandas; pip and conda would overwrite each other's files
            """)
        #expect(
            e?.steps.first?.last
                == .sameFiles(
                    pypi: PackageVersions(name: "pandas", ecosystem: "pypi", versions: ["2.0"]),
                    conda: PackageVersions(name: "pandas", ecosystem: "conda", versions: ["1.0"])))
    }

    /// A package built only for another Python: its python and python_abi requirements and the
    /// python ↔ python_abi constraints (one line per set of patch releases) are one step, and
    /// no hint says it again.
    @Test func builtOnlyForAnotherPythonIsOneStep() throws {
        let e = try ExplanationCase(
            ChannelBuilder().python("3.8.18").python("3.8.20").python("3.9.21")
                .conda("fastlib", "0.24.2", builtFor: "3.9", build: "py39_0")
                .conda("fastlib", "0.24.2", builtFor: "3.9", build: "py39_1", buildNumber: 1),
            python: "3.8.20"
        )
        .conda("python=3.8", at: "conda.yaml:4:3").conda("fastlib=0.24.2", at: "conda.yaml:5:3")
        .expect(
            """
              - conda.yaml:4:3 requires python=3.8
              - conda.yaml:5:3 requires fastlib=0.24.2
              - fastlib 0.24.2 (conda) is built in the channels only for Python 3.9
            """)
        #expect(
            e?.steps[0].last
                == .builtOnlyForPython(
                    PackageVersions(name: "fastlib", ecosystem: "conda", versions: ["0.24.2"]), pythons: ["3.9"]))
        #expect(e?.hintItems == [])
    }

    /// Versions built for different Pythons are a step each; the hint about the requirement
    /// still says what no one step does: every build it admits is for another Python.
    @Test func theHintStaysWhereNoStepSaysIt() throws {
        let e = try ExplanationCase(
            ChannelBuilder().python("3.8.20").python("3.9.21").python("3.10.14")
                .conda("fastlib", "1.0", builtFor: "3.9", build: "py39_0")
                .conda("fastlib", "2.0", builtFor: "3.10", build: "py310_0"),
            python: "3.8.20"
        )
        .conda("python=3.8", at: "conda.yaml:4:3").conda("fastlib>=1", at: "conda.yaml:5:3")
        .expect(
            """
              - conda.yaml:5:3 requires fastlib>=1
              - conda.yaml:4:3 requires python=3.8
              - fastlib 2.0 (conda) is built in the channels only for Python 3.10
              - fastlib 1.0 (conda) is built in the channels only for Python 3.9
            Hints:
              - fastlib>=1 (conda.yaml:5:3) is built in the channels only for Python 3.9, 3.10; the target is Python 3.8
            """)
        #expect(
            e?.hintItems == [
                .builtOnlyForPython(
                    requirement: "fastlib>=1", origin: "conda.yaml:5:3", pythons: ["3.9", "3.10"], target: "3.8")
            ])
    }

    /// With a noarch build of the version in the channels, "only for Python 3.9" would not be
    /// true: the rules stay as libsolv gives them.
    @Test func aNoarchBuildKeepsTheRules() throws {
        let e = try #require(
            try ExplanationCase(
                ChannelBuilder().python("3.8.20").python("3.9.21")
                    .conda("fastlib", "1.0", builtFor: "3.9", build: "py39_0")
                    .conda("fastlib", "1.0", build: "pyh_0", noarch: true, depends: ["python >=3.9"]),
                python: "3.8.20"
            )
            .conda("python=3.8", at: "conda.yaml:4:3").conda("fastlib=1.0", at: "conda.yaml:5:3").explanation())
        #expect(!e.steps.joined().contains { $0.kind == "built_only_for_python" }, "\(e)")
        #expect(
            e.steps.joined().contains { $0.kind == "dependency" && $0.requirement?.hasPrefix("python ") == true },
            "\(e)")
    }

    // MARK: why files are left out (hints)

    @Test func wheelsForAnotherPython() throws {
        let e = try ExplanationCase(
            ChannelBuilder().pypi("native", "1.0", tag: "cp311-cp311-manylinux_2_17_x86_64")
                .pypi("native", "2.0", tag: "cp312-cp312-manylinux_2_17_x86_64")
                .pypi("native", "2.0", tag: "cp313-cp313-manylinux_2_17_x86_64")
        )
        .pip("native==2.0")
        .expect(
            """
              - requirements.txt:1:1 requires native==2.0, but no package in the channels provides it
            Hints:
              - native 2.0: wheels only for cp312, cp313, not CPython 3.11
              - native versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
            """)
        #expect(
            e?.hintItems.first
                == .wheelsOnlyForOtherPythons(name: "native", version: "2.0", tags: ["cp312", "cp313"], target: "3.11"))
    }

    @Test func otherArchitectureAndGlibc() throws {
        let e = try ExplanationCase(
            ChannelBuilder().pypi("native", "1.0", tag: "py3-none-any")
                .pypi("native", "2.0", tag: "cp311-cp311-manylinux_2_17_aarch64")
                .pypi("native", "3.0", tag: "cp311-cp311-manylinux_2_39_x86_64")
                .pypi("native", "4.0", tag: "cp311-cp311-musllinux_1_2_x86_64")
        )
        .pip("native>1")
        .expect(
            """
              - requirements.txt:1:1 requires native>1, but no package in the channels provides it
            Hints:
              - native 2.0: built for manylinux_2_17_aarch64, not x86_64
              - native 4.0: built for musl libc (musllinux_1_2_x86_64), the target uses glibc
              - native 3.0: needs glibc 2.39 (manylinux_2_39_x86_64), the target has 2.35
              - native versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
            """)
        #expect(
            e?.hintItems.compactMap {
                if case .unavailable(_, _, let reason) = $0 { return reason.kind } else { return nil }
            }
                == ["other_architecture", "musl", "glibc"])
    }

    @Test func tooNewForExcludeNewer() throws {
        let e = try ExplanationCase(ChannelBuilder().pypi("alpha", "1.0"), excludeNewer: "2023-06-01T00:00:00Z")
            .pip("alpha")
            .expect(
                """
                  - requirements.txt:1:1 requires alpha, but no package in the channels provides it
                Hints:
                  - alpha 1.0: uploaded 2024-01-01T00:00:00.000000Z, at or after --exclude-newer 2023-06-01T00:00:00Z
                """)
        #expect(
            e?.hintItems == [
                .unavailable(
                    name: "alpha", versions: ["1.0"],
                    reason: .tooNew(uploaded: "2024-01-01T00:00:00.000000Z", cutoff: "2023-06-01T00:00:00Z"))
            ])
    }

    @Test func sourceOnly() throws {
        let e = try ExplanationCase(ChannelBuilder().pypi("alpha", "1.0").pypi("alpha", "2.0", sdistOnly: true))
            .pip("alpha==2.0")
            .expect(
                """
                  - requirements.txt:1:1 requires alpha==2.0, but no package in the channels provides it
                Hints:
                  - alpha 2.0 only as source distributions (a build would be needed)
                  - alpha versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
                """)
        #expect(e?.hintItems.first == .sourceOnly(name: "alpha", versions: ["2.0"]))
    }

    @Test func aCondaPackageNotInTheChannels() throws {
        let e = try ExplanationCase(ChannelBuilder().python("3.11.9"))
            .conda("python=3.11.9", at: "conda.yaml:4:3").conda("nothere", at: "conda.yaml:5:3")
            .expect(
                """
                  - conda.yaml:5:3 requires nothere, but no package in the channels provides it
                Hints:
                  - no conda package named nothere in the channels (scenario)
                """)
        #expect(e?.hintItems == [.noCondaPackage(name: "nothere", channels: ["scenario"])])
        #expect(e?.cause == .missing)
    }

    /// Strict channel priority: the first channel that has a name hides the name's builds in
    /// the channels after it, so a version only a lower channel has is missing, and the hint
    /// says where it is and what hides it.
    @Test func aBuildHiddenByAHigherPriorityChannel() throws {
        let channels = ChannelBuilder().python("3.11.9").conda("numpy", "1.24.4", noarch: true)
            .conda("numpy", "1.26.4", noarch: true, channel: "extra")
            .conda("numpy", "2.0.0", noarch: true, channel: "extra")
        let e = try ExplanationCase(channels)
            .conda("python=3.11.9", at: "conda.yaml:4:3").conda("numpy>=1.26", at: "conda.yaml:5:3")
            .expect(
                """
                  - conda.yaml:5:3 requires numpy>=1.26, but no package in the channels provides it
                Hints:
                  - numpy in the conda channels: 1.24.4
                  - numpy 1.26.4, 2.0.0: hidden by strict channel priority: scenario has numpy
                """)
        let hidden = ExplanationHint.unavailable(
            name: "numpy", versions: ["1.26.4", "2.0.0"],
            reason: .hiddenByChannelPriority(name: "numpy", higherChannel: "scenario"))
        #expect(e?.hintItems.last == hidden)
        #expect(
            hidden.json.serialized()
                == #"{"kind":"unavailable","name":"numpy","versions":["1.26.4","2.0.0"],"reason":{"kind":"hidden_by_channel_priority","name":"numpy","higher_channel":"scenario"},"text":"numpy 1.26.4, 2.0.0: hidden by strict channel priority: scenario has numpy"}"#
        )
        // `search` says it in the same words (without the channel's name: its rows name theirs).
        let rows = try PackageSearch(channels: channels.channels()).rows(for: "numpy")
        let reason = "hidden by strict channel priority: a higher-priority channel has numpy"
        #expect(rows.filter { $0.channel == "extra" }.map(\.reason) == [reason, reason])
        #expect(rows.filter { $0.channel == "scenario" }.map(\.reason) == [nil])
    }
}

/// Each reason a PyPI file is left out, as the one sentence it is written as.
@Suite struct UnavailabilityTextTests {
    @Test(arguments: [
        (
            Unavailability.invalidVersion("1.0-foo"), "invalid_version",
            "its version '1.0-foo' is not a valid PEP 440 version"
        ),
        (
            .tooNew(uploaded: "2024-01-01T00:00:00Z", cutoff: "2023-01-01"), "too_new",
            "uploaded 2024-01-01T00:00:00Z, at or after --exclude-newer 2023-01-01"
        ),
        (.yanked(reason: ""), "yanked", "yanked"),
        (.yanked(reason: "broken"), "yanked", "yanked: broken"),
        (
            .requiresPython(specifier: ">=3.12", target: "3.11.9"), "requires_python",
            "requires Python >=3.12, the target is 3.11.9"
        ),
        (.otherSystem(platforms: ["win_amd64"]), "other_system", "built for win_amd64, not Linux"),
        (
            .otherPython(pythonTags: ["cp38"], abiTags: ["cp38"], target: "3.11"), "other_python",
            "built for cp38 / cp38, not CPython 3.11"
        ),
        (.notAWheelOrSdist, "not_a_wheel_or_sdist", "not a wheel or an sdist"),
        (
            .sdistUnreadable(message: "no PKG-INFO"), "sdist_unreadable",
            "its sdist's dependencies could not be read: no PKG-INFO"
        ),
        (
            .hiddenByChannelPriority(name: "numpy", higherChannel: nil), "hidden_by_channel_priority",
            "hidden by strict channel priority: a higher-priority channel has numpy"
        ),
        (
            .hiddenByChannelPriority(name: "numpy", higherChannel: "main"), "hidden_by_channel_priority",
            "hidden by strict channel priority: main has numpy"
        )
    ])
    func sentence(_ reason: Unavailability, _ kind: String, _ text: String) {
        #expect(reason.kind == kind)
        #expect(reason.description == text)
    }
}
