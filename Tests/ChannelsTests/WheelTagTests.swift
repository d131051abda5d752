// Wheel file names and tag compatibility. The ordered tag lists in Data/ were generated with
// pypa/packaging 26.2 (`tags.cpython_tags` + `tags.compatible_tags` for the platforms sys_tags()
// yields on glibc 2.35 x86_64); the header of each file says how.

import Channels
import Foundation
import Requests
import Specs
import Testing

@Suite struct WheelFilenameTests {
    @Test func parsesCompressedTagSets() throws {
        let wheel = try WheelFilename(
            parsing: "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(wheel.name == NormalizedName("numpy"))
        #expect(wheel.versionText == "1.26.4")
        #expect(wheel.buildTag == nil)
        #expect(wheel.pythonTags == ["cp311"])
        #expect(wheel.platformTags == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        #expect(wheel.tags.count == 2)
        let universal = try WheelFilename(parsing: "six-1.16.0-py2.py3-none-any.whl")
        #expect(universal.tags.map(\.description) == ["py2-none-any", "py3-none-any"])
    }

    @Test func parsesABuildTag() throws {
        let wheel = try WheelFilename(
            parsing: "scikit_learn-1.4.0-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(wheel.buildTag == "1")
        #expect(wheel.name == NormalizedName("scikit-learn"))
    }

    @Test(arguments: [
        ("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.zip", "it does not end in .whl"),
        (
            "numpy-1.26.4-cp311-manylinux_2_17_x86_64.whl",
            "expected 5 or 6 '-'-separated parts (name-version[-build]-python-abi-platform), found 4"
        ),
        ("numpy-1.26.4-x1-cp311-cp311-any.whl", "the build tag 'x1' must start with a digit"),
        ("numpy--cp311-cp311-any.whl", "a part is empty"),
        ("a-b-c-d-e-f-g.whl", "expected 5 or 6 '-'-separated parts (name-version[-build]-python-abi-platform), found 7")
    ])
    func rejectsMalformedNames(_ name: String, _ reason: String) {
        #expect {
            try WheelFilename(parsing: name)
        } throws: { error in
            (error as? WheelFilename.ParseError)?.reason == reason
        }
    }

    @Test func splitsSdistNamesWithTheProjectName() {
        let sdist = SdistFilename(parsing: "azureml-core-1.59.0.post1.tar.gz", project: NormalizedName("azureml-core"))
        #expect(sdist?.versionText == "1.59.0.post1")
        #expect(
            SdistFilename(parsing: "scikit-learn-0.24.2.tar.gz", project: NormalizedName("scikit_learn"))?.versionText
                == "0.24.2")
        #expect(SdistFilename(parsing: "other-1.0.tar.gz", project: NormalizedName("numpy")) == nil)
    }
}

@Suite struct TagPolicyTests {
    static func packagingTags(_ file: String) throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Data/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#")
        }
    }

    @Test(arguments: [(3, 7), (3, 8), (3, 11), (3, 14)])
    func ordersTagsExactlyAsPackagingDoes(_ major: Int, _ minor: Int) throws {
        let expected = try Self.packagingTags("sys-tags-cp\(major)\(minor)-glibc2.35.txt")
        let policy = TagPolicy(target: Target(python: PythonVersion(major: major, minor: minor)))
        // A wheel per tag: its rank must be its position in packaging's list.
        var previous = -1
        for tag in expected {
            let parts = tag.split(separator: "-")
            let wheel = try WheelFilename(parsing: "demo-1.0-\(parts[0])-\(parts[1])-\(parts[2]).whl")
            guard case .compatible(let rank, _) = policy.verdict(for: wheel) else {
                Issue.record("\(tag) should be compatible")
                continue
            }
            #expect(rank > previous, "\(tag) is out of order")
            previous = rank
        }
    }

    @Test(arguments: [
        (
            "numpy-2.1.0-cp311-cp311-musllinux_1_2_x86_64.whl",
            "built for musl libc (musllinux_1_2_x86_64), the target uses glibc"
        ),
        ("numpy-2.1.0-cp311-cp311-win_amd64.whl", "built for win_amd64, not Linux"),
        ("numpy-2.1.0-cp311-cp311-macosx_14_0_arm64.whl", "built for macosx_14_0_arm64, not Linux"),
        (
            "numpy-2.1.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "built for manylinux_2_17_aarch64, manylinux2014_aarch64, not x86_64"
        ),
        (
            "numpy-2.1.0-cp311-cp311-manylinux_2_38_x86_64.whl",
            "needs glibc 2.38 (manylinux_2_38_x86_64), the target has 2.35"
        ),
        ("numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "built for cp312 / cp312, not CPython 3.11"),
        ("numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.whl", "built for cp313 / cp313t, not CPython 3.11")
    ])
    func explainsIncompatibleWheels(_ filename: String, _ reason: String) throws {
        let policy = TagPolicy(target: Target(python: PythonVersion(major: 3, minor: 11)))
        guard case .incompatible(let why) = policy.verdict(for: try WheelFilename(parsing: filename)) else {
            Issue.record("\(filename) installs")
            return
        }
        #expect(why.description == reason)
    }

    @Test func acceptsAbi3FromOlderMinorsAndFlagsBareLinux() throws {
        let policy = TagPolicy(target: Target(python: PythonVersion(major: 3, minor: 11)))
        if case .compatible(_, let portable) = policy.verdict(
            for: try WheelFilename(parsing: "cryptography-42.0.0-cp37-abi3-manylinux_2_28_x86_64.whl"))
        {
            #expect(portable)
        } else {
            Issue.record("abi3 wheel should install")
        }
        #expect(
            policy.verdict(for: try WheelFilename(parsing: "x-1.0-cp311-cp311-linux_x86_64.whl"))
                == .compatible(rank: policy.rank(of: "cp311-cp311-linux_x86_64")!, portable: false))
    }

    /// A cp37m wheel is the CPython 3.7 wheel; there is no cp37-cp37 ABI.
    @Test func cpython37WheelsCarryThePymallocABI() throws {
        let policy = TagPolicy(target: Target(python: PythonVersion(major: 3, minor: 7)))
        #expect(policy.rank(of: "cp37-cp37m-manylinux2014_x86_64") != nil)
        if case .incompatible = policy.verdict(
            for: try WheelFilename(parsing: "PyYAML-6.0.1-cp37-cp37m-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"))
        {
            Issue.record("a cp37m wheel must install on CPython 3.7")
        }
        #expect(policy.rank(of: "cp37-cp37-manylinux2014_x86_64") == nil)
        #expect(
            TagPolicy(target: Target(python: PythonVersion(major: 3, minor: 8))).rank(
                of: "cp38-cp38m-manylinux2014_x86_64") == nil)
    }

    @Test func prefersSpecificOverGenericWheels() throws {
        let policy = TagPolicy(target: Target(python: PythonVersion(major: 3, minor: 11)))
        let specific = try #require(policy.rank(of: "cp311-cp311-manylinux_2_17_x86_64"))
        let abi3 = try #require(policy.rank(of: "cp38-abi3-manylinux_2_17_x86_64"))
        let pure = try #require(policy.rank(of: "py3-none-any"))
        #expect(specific < abi3 && abi3 < pure)
    }
}
