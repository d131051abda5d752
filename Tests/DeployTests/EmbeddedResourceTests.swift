// The profiles and the breaker catalog compiled into mlenv (EmbeddedProfiles.swift,
// EmbeddedBreakers.swift) are the files under Sources/Deploy/Profiles and Breakers, byte for byte: the files are the source of truth and
// scripts/embed-resources writes the Swift.

@testable import Deploy
import Foundation
import Testing

@Suite struct EmbeddedResourceTests {
    static let module = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Deploy")

    @Test func embeddedProfilesAreTheProfileFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.module.appendingPathComponent("Profiles").path)
        let onDisk = Set(names.filter { $0.hasSuffix(".yaml") }.map { "Profiles/" + $0 })
        #expect(Set(EmbeddedProfiles.files.keys) == onDisk,
                "EmbeddedProfiles.swift does not hold the files of Sources/Deploy/Profiles: run scripts/embed-resources")
        let stale = try onDisk.sorted().filter { path in
            try EmbeddedProfiles.files[path].map { Array($0.utf8) } != [UInt8](Data(contentsOf: Self.module.appendingPathComponent(path)))
        }
        #expect(stale.isEmpty, "\(stale.map { "Sources/Deploy/" + $0 }) differ from their copies in EmbeddedProfiles.swift: run scripts/embed-resources")
    }

    @Test func embeddedBreakersAreTheCatalogFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.module.appendingPathComponent("Breakers").path)
        let onDisk = Set(names.map { "Breakers/" + $0 })
        #expect(Set(EmbeddedBreakers.files.keys) == onDisk,
                "EmbeddedBreakers.swift does not hold the files of Sources/Deploy/Breakers: run scripts/embed-resources")
        let stale = try onDisk.sorted().filter { path in
            try EmbeddedBreakers.files[path].map { Array($0.utf8) } != [UInt8](Data(contentsOf: Self.module.appendingPathComponent(path)))
        }
        #expect(stale.isEmpty, "\(stale.map { "Sources/Deploy/" + $0 }) differ from their copies in EmbeddedBreakers.swift: run scripts/embed-resources")
    }
}
