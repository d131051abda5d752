// The scoring core compiled into mlenv (EmbeddedScoringCore.swift) is the files under
// Sources/Inference/Resources, byte for byte: the files are the source of truth and
// scripts/embed-resources writes the Swift.

import Foundation
@testable import Inference
import Testing

@Suite struct EmbeddedResourceTests {
    static let module = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Inference")

    @Test func embeddedScoringCoreIsTheResourceFiles() throws {
        let onDisk = Set(ScoringCore.files.map { "Resources/" + $0 })
        #expect(Set(EmbeddedScoringCore.files.keys) == onDisk,
                "EmbeddedScoringCore.swift does not hold \(ScoringCore.files) of Sources/Inference/Resources: run scripts/embed-resources")
        let stale = try onDisk.sorted().filter { path in
            try EmbeddedScoringCore.files[path].map { Array($0.utf8) } != [UInt8](Data(contentsOf: Self.module.appendingPathComponent(path)))
        }
        #expect(stale.isEmpty, "\(stale.map { "Sources/Inference/" + $0 }) differ from their copies in EmbeddedScoringCore.swift: run scripts/embed-resources")
    }
}
