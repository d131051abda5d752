// The scoring core compiled into mlenv (SwiftPM's `.embedInCode`) is the files under
// Sources/Inference/Resources, byte for byte (the generated accessor's imports are checked in
// DeployTests/EmbeddedResourceTests).

import Foundation
import Testing

@testable import Inference

@Suite struct EmbeddedResourceTests {
    static let module = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Inference")

    @Test func embeddedScoringCoreIsTheResourceFiles() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(
            atPath: Self.module.appendingPathComponent("Resources").path)
        #expect(Set(onDisk) == Set(ScoringCore.files + ["README.md"]))
        for name in ScoringCore.files {
            let bytes = [UInt8](try Data(contentsOf: Self.module.appendingPathComponent("Resources/" + name)))
            #expect(ScoringCore.contents(of: name) == bytes, "Resources/\(name)")
        }
        #expect(ScoringCore.contents(of: "README.md") == nil)
    }
}
