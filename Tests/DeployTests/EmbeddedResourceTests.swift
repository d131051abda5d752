// The profiles and the breaker catalog compiled into mlenv (SwiftPM's `.embedInCode`) are the
// files under Sources/Deploy/Profiles and Breakers, byte for byte, and reach the code; and the
// accessor SwiftPM generates for them imports no Foundation (the reason resources are embedded
// rather than bundled: `Bundle.module` loads Foundation at every start).

import Foundation
import Testing

@testable import Deploy

@Suite struct EmbeddedResourceTests {
    static let module = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Deploy")

    @Test func everyProfileFileIsABuiltInProfileWithItsBytes() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: Self.module.appendingPathComponent("Profiles").path)
        let onDisk = names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        #expect(Set(onDisk) == Set(Profiles.builtInNames))
        for name in onDisk {
            let bytes = [UInt8](try Data(contentsOf: Self.module.appendingPathComponent("Profiles/\(name).yaml")))
            #expect(Profiles.embedded(name) == bytes, "Profiles/\(name).yaml")
        }
        #expect(Profiles.embedded("breakers") == nil)
    }

    @Test func theBreakerCatalogIsTheFile() throws {
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: Self.module.appendingPathComponent("Breakers").path)
                == ["breakers.yaml"])
        let bytes = [UInt8](try Data(contentsOf: Self.module.appendingPathComponent("Breakers/breakers.yaml")))
        #expect(PackageResources.breakers_yaml == bytes)
        #expect(try BreakerCatalog.builtIn() == BreakerCatalog.parse(bytes, file: "breakers.yaml"))
    }

    /// The sources SwiftPM generated for the modules with embedded data (beside this test
    /// binary): the byte arrays, no import, and no resource-bundle accessor.
    @Test func theGeneratedAccessorImportsNoFoundation() throws {
        let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for module in ["Deploy", "Inference"] {
            let derived = products.appendingPathComponent("\(module).build/DerivedSources")
            let files = try FileManager.default.contentsOfDirectory(atPath: derived.path).filter {
                $0.hasSuffix(".swift")
            }
            #expect(files.contains("embedded_resources.swift"), "\(module): \(files)")
            #expect(!files.contains { $0.contains("bundle_accessor") }, "\(module): \(files)")
            for file in files {
                let text = try String(contentsOf: derived.appendingPathComponent(file), encoding: .utf8)
                #expect(!text.contains("import"), "\(module)/\(file) imports: \(text.prefix(200))")
            }
        }
    }
}
