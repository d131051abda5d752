// The breaker catalog compiled into mlenv (EmbeddedBreakers.swift) is
// Sources/Lint/Resources/breakers.yaml, byte for byte: the file is the source of truth and
// scripts/embed-resources writes the Swift.

import Foundation
@testable import Lint
import Testing

@Suite struct EmbeddedResourceTests {
    static let module = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Lint")

    @Test func embeddedBreakersAreTheResourceFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.module.appendingPathComponent("Resources").path)
        let onDisk = Set(names.map { "Resources/" + $0 })
        #expect(Set(EmbeddedBreakers.files.keys) == onDisk,
                "EmbeddedBreakers.swift does not hold the files of Sources/Lint/Resources: run scripts/embed-resources")
        let stale = try onDisk.sorted().filter { path in
            try EmbeddedBreakers.files[path].map { Array($0.utf8) } != [UInt8](Data(contentsOf: Self.module.appendingPathComponent(path)))
        }
        #expect(stale.isEmpty, "\(stale.map { "Sources/Lint/" + $0 }) differ from their copies in EmbeddedBreakers.swift: run scripts/embed-resources")
    }
}
