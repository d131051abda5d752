// Every real MLflow model in ../shared/models either loads or fails with a precise error, and
// what loads matches an independent reading of the same files: Oracle/declared.py reads them
// with PyYAML (the library MLflow writes them with) and a plain line reader.

import Foundation
import JSON
import ModelFiles
import Testing

@Suite(.enabled(if: Paths.hasSharedModels, "../shared/models is not beside this checkout"))
struct SharedModelsTests {
    @Test(arguments: Paths.sharedModelDirectories())
    func loadsAndAgreesWithTheOracle(_ name: String) throws {
        let path = Paths.sharedModels.appendingPathComponent(name).path
        let env: DeclaredEnvironment
        do {
            env = try ModelLoader.load(path: path)
        } catch {
            // A precise error: a code and a location.
            #expect(!error.code.isEmpty && error.location != nil, "\(name): \(error)")
            return
        }
        for diagnostic in env.diagnostics where diagnostic.severity == .error {
            #expect(diagnostic.location != nil, "\(name): \(diagnostic)")
        }

        let oracle = try Oracle.read(path)
        // Python, from every place that states it.
        var python: [String: String] = [:]
        for statement in env.python { python[statement.source.rawValue] = statement.version }
        #expect(python == oracle.python, "\(name)")
        // Requirements, in order, as written.
        #expect(env.conda?.dependencies.map(\.text) ?? [] == oracle.conda, "\(name)")
        #expect(env.conda?.pip.map(\.text) ?? [] == oracle.condaPip, "\(name)")
        #expect(env.virtualenv?.requirements.map(\.text) ?? [] == oracle.virtualenv, "\(name)")
        // Every named requirement was parsed.
        for requirement in (env.conda?.pip ?? []) + (env.virtualenv?.requirements ?? [])
        where requirement.form == .named {
            #expect(requirement.requirement != nil, "\(name): \(requirement.text)")
        }
    }

    @Test func everyModelIsCovered() {
        #expect(Paths.sharedModelDirectories().count >= 27)
    }
}

struct Oracle {
    let python: [String: String]
    let conda: [String]
    let condaPip: [String]
    let virtualenv: [String]

    static func read(_ model: String) throws -> Oracle {
        let script = Paths.repository.appendingPathComponent("Tests/ModelFilesTests/Oracle/declared.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, model]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OracleError.failed(model) }
        let json = try JSONValue.parse([UInt8](data))
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var python: [String: String] = [:]
        for entry in json["python"]?.objectValue?.entries ?? [] { python[entry.key] = entry.value.stringValue }
        return Oracle(
            python: python, conda: strings("conda"), condaPip: strings("conda_pip"), virtualenv: strings("virtualenv"))
    }

    enum OracleError: Error { case failed(String) }
}
