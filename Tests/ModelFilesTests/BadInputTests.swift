// Every bad-input case of issue 3 against its fixture under fixtures/bad/: a precise
// diagnostic (code, file, line, column), never a crash.

import Foundation
import ModelFiles
import Testing

@Suite struct BadInputTests {
    /// Cases where nothing can be inspected: the loader throws.
    @Test(arguments: [
        ("no-mlmodel", "missing-mlmodel", "MLmodel", nil as Int?, nil as Int?),
        ("malformed-yaml", "invalid-yaml", "MLmodel", 5, 4),
        ("mlmodel-not-mapping", "invalid-mlmodel", "MLmodel", 1, 1)
    ])
    func throwsWhenMLmodelIsUnusable(_ fixture: String, _ code: String, _ file: String, _ line: Int?, _ column: Int?) {
        #expect {
            try ModelLoader.load(path: Paths.fixture("bad/\(fixture)"))
        } throws: { error in
            guard let e = error as? ModelFilesError else { return false }
            return e.code == code && e.location == SourceLocation(file: file, line: line, column: column)
        }
    }

    @Test func missingDirectory() {
        #expect {
            try ModelLoader.load(path: Paths.fixture("bad/does-not-exist"))
        } throws: { error in
            (error as? ModelFilesError)?.code == "missing-model-directory"
        }
    }

    @Test func malformedYAMLMessageHasTheParserReason() {
        #expect {
            try ModelLoader.load(path: Paths.fixture("bad/malformed-yaml"))
        } throws: { error in
            (error as? ModelFilesError)?.message.contains("did not find expected key") == true
        }
    }

    /// Cases where the model loads but is broken as declared: an error diagnostic.
    @Test(arguments: [
        ("missing-env-file", "missing-env-file", "MLmodel", 4, 14),
        ("malformed-conda-yaml", "invalid-yaml", "conda.yaml", 6, 1),
        ("non-utf8", "not-utf8", "requirements.txt", 2, 6),
        ("bad-signature", "invalid-signature", "MLmodel", 6, 11),
        ("include-escapes", "path-escapes-model", "requirements.txt", 2, 1),
        ("include-loop", "include-cycle", "extra/more.txt", 2, 1),
        ("symlink-outside", "symlink-escapes-model", "MLmodel", 4, 14),
        ("invalid-requirement", "invalid-requirement", "requirements.txt", 2, 13)
    ])
    func reportsAnErrorDiagnostic(_ fixture: String, _ code: String, _ file: String, _ line: Int, _ column: Int) throws
    {
        let env = try ModelLoader.load(path: Paths.fixture("bad/\(fixture)"))
        let matching = env.diagnostics(code)
        #expect(matching.count >= 1, "diagnostics: \(env.diagnostics)")
        let first = try #require(matching.first)
        #expect(first.severity == .error)
        #expect(first.location == SourceLocation(file: file, line: line, column: column))
        #expect(env.hasErrors)
    }

    @Test func includeLoopNamesTheChain() throws {
        let env = try ModelLoader.load(path: Paths.fixture("bad/include-loop"))
        let message = try #require(env.diagnostics("include-cycle").first?.message)
        #expect(message.contains("requirements.txt -> extra/more.txt -> requirements.txt"))
        // What could be read was read, once each.
        #expect(env.virtualenv?.requirements.map(\.text) == ["numpy==1.26.4", "pandas==2.1.4"])
    }

    @Test func symlinkIsAlsoFoundByTheTreeScan() throws {
        let env = try ModelLoader.load(path: Paths.fixture("bad/symlink-outside"))
        #expect(env.diagnostics("symlink-escapes-model").contains { $0.location == SourceLocation(file: "conda.yaml") })
        #expect(env.conda == nil)
    }

    @Test func signatureErrorQuotesTheJSONProblem() throws {
        let env = try ModelLoader.load(path: Paths.fixture("bad/bad-signature"))
        let message = try #require(env.diagnostics("invalid-signature").first?.message)
        #expect(message.contains("inputs"))
        #expect(message.contains("expected ',' or '}'"))
        // The valid part still loads.
        #expect(
            env.mlmodel.signature?.outputs == .columns([ColumnSpec(name: nil, type: .scalar(.long), required: true)]))
    }

    @Test func missingEnvFileSaysWhichKey() throws {
        let env = try ModelLoader.load(path: Paths.fixture("bad/missing-env-file"))
        let message = try #require(env.diagnostics("missing-env-file").first?.message)
        #expect(
            message
                == "MLmodel names 'conda.yaml' as its conda environment, but the file does not exist in the model directory"
        )
        // The other environment still loads.
        #expect(env.virtualenv?.requirements.map(\.text) == ["scikit-learn==1.3.2"])
    }
}

/// `-r` includes forming a diamond: each level's two files both include both files of the next
/// level. Read naively that is 2^20 reads; each file is read once, and every requirement is
/// there once.
@Suite struct IncludeDiamondTests {
    @Test func eachIncludedFileIsReadOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-diamond-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let levels = 20
        func write(_ name: String, _ text: String) throws {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        for i in 0..<levels {
            try write("l\(i)a.txt", "-r l\(i + 1)a.txt\n-r l\(i + 1)b.txt\npkg\(i)==1.0\n")
            try write("l\(i)b.txt", "-r l\(i + 1)a.txt\n-r l\(i + 1)b.txt\n")
        }
        try write("l\(levels)a.txt", "numpy==1.26.4\n")
        try write("l\(levels)b.txt", "pandas==2.2.3\n")
        try write(
            "MLmodel",
            "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\n"
        )
        try write("conda.yaml", "dependencies:\n- python=3.11.9\n- pip\n- pip:\n  - -r l0a.txt\n")
        let environment = try ModelLoader.load(path: dir.path)
        let names = environment.conda?.pip.compactMap(\.name) ?? []
        #expect(names.count == levels + 2 && Set(names).count == levels + 2)
        // l0b.txt is never included
        #expect(environment.filesRead.filter { $0.hasSuffix(".txt") }.count == 2 * levels + 1)
        #expect(!environment.hasErrors)
    }
}

/// What PyYAML's safe_load (MLflow's reader) refuses is refused: an explicit tag it has no
/// constructor for is an error at the tag; a list field given a number is a warning.
@Suite struct YAMLSafeLoadTests {
    static func model(_ conda: String) throws -> DeclaredEnvironment {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-safeload-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n".write(
            to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try conda.write(to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8)
        return try ModelLoader.load(path: dir.path)
    }

    @Test(arguments: ["!!python/object:os.system foo", "!!python/name:os.system ''", "!custom x"])
    func tagsSafeLoadRefusesAreErrors(_ item: String) throws {
        let environment = try Self.model("dependencies:\n- python=3.11\n- \(item)\n")
        let error = try #require(environment.diagnostics.first { $0.severity == .error })
        #expect(error.message.contains("is one PyYAML's safe_load (how MLflow reads this file) refuses"), "\(error)")
        #expect(error.location?.description == "conda.yaml:3:3")
    }

    @Test func safeTagsAreFine() throws {
        let environment = try Self.model("dependencies:\n- !!str python=3.11\n- ! pip\n")
        #expect(!environment.hasErrors)
    }

    @Test func aNumberForAListIsAWarning() throws {
        let environment = try Self.model("channels: 5\ndependencies:\n- python=3.11\n")
        #expect(environment.conda?.channels.isEmpty == true)
        #expect(
            environment.diagnostics.contains {
                $0.severity == .warning && $0.message == "channels: expected a list of strings, found an integer ('5')"
            })
    }
}

/// A UTF-16 conda.yaml or MLmodel is named as such (MLflow opens them as UTF-8 text and fails):
/// with a byte-order mark, libyaml would have read it; without one it said "control characters
/// are not allowed".
@Suite struct UTF16Tests {
    @Test(arguments: [("utf-16 BOM", true), ("utf-16-le", false)])
    func utf16IsNamed(_ label: String, _ bom: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-utf16-\(getpid())-\(bom)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: x\n".write(
            to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        var bytes: [UInt8] = bom ? [0xFF, 0xFE] : []
        for unit in "dependencies:\n- python=3.11\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        try Data(bytes).write(to: dir.appendingPathComponent("conda.yaml"))
        let environment = try ModelLoader.load(path: dir.path)
        let error = try #require(environment.diagnostics.first { $0.severity == .error })
        #expect(
            error.message.hasPrefix(
                "the file is encoded as UTF-16 (\(bom ? "with a byte-order mark" : "little-endian, no byte-order mark"))"
            ), "\(label): \(error)")
    }
}
