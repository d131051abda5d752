import Foundation
import ModelFiles

enum Paths {
    /// The repository root, found from this file's path.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("fixtures")
    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }
    /// The shared MLflow models collected from public repositories (beside the checkout).
    static let sharedModels = repository.deletingLastPathComponent().appendingPathComponent("shared/models")
    static var hasSharedModels: Bool { FileManager.default.fileExists(atPath: sharedModels.path) }

    static func sharedModelDirectories() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: sharedModels.path) else { return [] }
        return names.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: sharedModels.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }
}

extension DeclaredEnvironment {
    func diagnostics(_ code: String) -> [Diagnostic] { diagnostics.filter { $0.code == code } }
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}
