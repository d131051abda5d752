// Core metadata, project pages (PEP 503 HTML, PEP 691 JSON), URL resolution, digests.

import Basics
import Foundation
import Specs
import Testing

@testable import Channels

@Suite struct CoreMetadataTests {
    @Test func readsDependencyFieldsWithContinuationsAndCRLF() throws {
        let text =
            "Metadata-Version: 2.1\r\nName: demo_pkg\r\nVersion: 1.2.0\r\nSummary: a\r\n  continued summary\r\nRequires-Python: >=3.8\r\nRequires-Dist: numpy (>=1.20)\r\nRequires-Dist: pandas; extra == \"df\"\r\nProvides-Extra: df\r\nLicense: MIT\r\n\r\nRequires-Dist: not-a-header-this-is-the-body\r\n"
        let metadata = try CoreMetadata(parsing: text)
        #expect(metadata.name == "demo_pkg")
        #expect(metadata.version == "1.2.0")
        #expect(metadata.requiresPythonText == ">=3.8")
        #expect(metadata.requiresDist.map(\.name) == ["numpy", "pandas"])
        #expect(metadata.requiresDist[1].marker != nil)
        #expect(metadata.providesExtra == ["df"])
        #expect(metadata.summary == "a\ncontinued summary")
    }

    @Test func keepsInvalidRequirementsAside() throws {
        let metadata = try CoreMetadata(
            parsing: "Metadata-Version: 1.2\nName: x\nVersion: 1\nRequires-Dist: ok\nRequires-Dist: bad (>=\n")
        #expect(metadata.requiresDist.map(\.name) == ["ok"])
        #expect(metadata.invalidRequiresDist == ["bad (>="])
    }

    @Test func metadata10HasNoDependencies() throws {
        let metadata = try CoreMetadata(parsing: "Metadata-Version: 1.0\nName: old\nVersion: 0.1\nRequires: os\n")
        #expect(metadata.requiresDist.isEmpty)
    }

    @Test func trimmedTextRoundTrips() throws {
        let metadata = try CoreMetadata(
            parsing:
                "Metadata-Version: 2.3\nName: x\nVersion: 1\nRequires-Python: >=3.9\nProvides-Extra: a\nRequires-Dist: y>=2; extra == \"a\"\nDescription-Content-Type: text/markdown\n\nlong readme\n"
        )
        let again = try CoreMetadata(parsing: metadata.trimmedText)
        #expect(again.requiresDistLines == metadata.requiresDistLines)
        #expect(again.requiresPythonText == ">=3.9")
        #expect(!metadata.trimmedText.contains("readme"))
    }

    @Test(arguments: ["Name: x\n", "Version: 1\n", "no colon here\n"])
    func rejectsIncompleteMetadata(_ text: String) {
        #expect(throws: CoreMetadata.ParseError.self) { try CoreMetadata(parsing: "Metadata-Version: 2.1\n" + text) }
    }
}

@Suite struct ProjectPageTests {
    static let hashA = String(repeating: "a", count: 64)
    static let hashB = String(repeating: "1", count: 64)

    @Test func readsPEP503HTMLWithEveryAttribute() {
        let html = """
            <html><body>
            <a href="../../files/demo/demo-1.0-py3-none-any.whl#sha256=\(Self.hashA)" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=def">demo-1.0-py3-none-any.whl</a><br/>
            <a href="https://files.example.invalid/demo-0.9.tar.gz#sha256=\(Self.hashB)" data-yanked="">demo-0.9.tar.gz</a>
            <A HREF='demo-0.8.tar.gz' data-yanked="broken &amp; bad" data-dist-info-metadata="true">demo-0.8.tar.gz</A>
            </body></html>
            """
        let project = ProjectPage.parseHTML(html, project: NormalizedName("demo"), pageURL: "/srv/mirror/simple/demo/")
        #expect(project.files.count == 3)
        let wheel = project.files[0]
        #expect(wheel.url == "/srv/mirror/files/demo/demo-1.0-py3-none-any.whl")
        #expect(wheel.sha256 == Self.hashA)
        #expect(wheel.requiresPython == ">=3.8,<4")
        #expect(wheel.coreMetadata == "def")
        #expect(wheel.yanked == nil)
        #expect(project.files[1].yanked == "")
        #expect(project.files[1].url == "https://files.example.invalid/demo-0.9.tar.gz")
        #expect(project.files[2].yanked == "broken & bad")
        #expect(project.files[2].coreMetadata == "")
        #expect(project.files[2].url == "/srv/mirror/simple/demo/demo-0.8.tar.gz")
    }

    @Test func readsPEP691JSON() throws {
        let json = """
            {"meta": {"api-version": "1.1"}, "name": "demo", "files": [
              {"filename": "demo-1.0-py3-none-any.whl", "url": "https://h.example.invalid/a/demo-1.0-py3-none-any.whl", "hashes": {"sha256": "\(Self.hashA)"},
               "requires-python": ">=3.9", "yanked": "security issue", "core-metadata": {"sha256": "bb"}, "size": 10, "upload-time": "2024-01-02T03:04:05.000000Z"},
              {"filename": "demo-0.9.tar.gz", "url": "demo-0.9.tar.gz", "hashes": {}, "yanked": false, "dist-info-metadata": true}
            ], "versions": ["0.9", "1.0"]}
            """
        let project = try ProjectPage.parseJSON(
            Array(json.utf8), project: NormalizedName("demo"), pageURL: "http://127.0.0.1:8000/simple/demo/")
        #expect(project.files[0].yanked == "security issue")
        #expect(project.files[0].coreMetadata == "bb")
        #expect(project.files[0].uploadTime == "2024-01-02T03:04:05.000000Z")
        #expect(project.files[0].size == 10)
        #expect(project.files[1].url == "http://127.0.0.1:8000/simple/demo/demo-0.9.tar.gz")
        #expect(project.files[1].coreMetadata == "")
        #expect(project.files[1].isSdist)
        #expect(project.versions.map(\.normalized) == ["1.0", "0.9"])
    }

    @Test func rejectsBadJSONWithPosition() {
        #expect {
            try ProjectPage.parseJSON(Array("{\"files\": [}".utf8), project: NormalizedName("x"), pageURL: "p/")
        } throws: { error in
            (error as? ChannelError)?.message.contains("line 1, column 12") == true
        }
    }

    @Test(arguments: [
        ("../../files/a/b.whl", "/m/simple/a/", "/m/files/a/b.whl"),
        ("b.whl", "/m/simple/a/", "/m/simple/a/b.whl"),
        ("/abs/b.whl", "http://h:1/simple/a/", "http://h:1/abs/b.whl"),
        ("../../files/a/b.whl#sha256=ff", "http://h:1/simple/a/", "http://h:1/files/a/b.whl"),
        ("https://other/x.whl", "http://h:1/simple/a/", "https://other/x.whl")
    ])
    func resolvesRelativeURLs(_ reference: String, _ base: String, _ expected: String) {
        #expect(URLReference.resolve(reference, against: base).0 == expected)
    }
}

@Suite struct DigestTests {
    @Test func computesKnownDigests() {
        #expect(
            Digester.hex(.sha256, of: Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digester.hex(.md5, of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Digester.hex(.sha256, of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
