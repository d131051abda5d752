// A bundle is trusted only when its files are exactly MANIFEST.json's: an unlisted file (an
// `inference/yaml.py` the scoring core would import), an empty `files`, a listed path that
// leaves the bundle, a link or a FIFO are each refused before anything runs.

import Foundation
import JSON
import Testing

@testable import Emit

@Suite struct BundleInventoryTests {
    static let digest = String(repeating: "0", count: 64)

    static func bundle(_ files: [String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-inventory-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        for file in files + ["MANIFEST.json"] {
            try FileManager.default.createDirectory(
                atPath: (root + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "x".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        return root
    }

    static func manifest(_ keys: [String]) throws -> JSONValue {
        try JSONValue.parse(
            string: "{\"files\": {" + keys.map { "\"\($0)\": \"\(digest)\"" }.joined(separator: ",") + "}}")
    }

    @Test func exactlyTheListedFilesPass() throws {
        let root = try Self.bundle(["inference/score.py", "model/MLmodel"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(
            BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py", "model/MLmodel"]))
                .isEmpty)
    }

    @Test func anUnlistedFileIsRefused() throws {
        let root = try Self.bundle(["inference/score.py", "inference/yaml.py"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(
            BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py"])) == [
                "inference/yaml.py is not listed in MANIFEST.json"
            ])
        #expect(BundleInventory.check(root: root, manifest: try Self.manifest([])).count == 2)
    }

    /// The last three were found by fuzz/bundle: Unicode whitespace other than the space.
    @Test(arguments: [
        "../../etc/passwd", "/etc/passwd", "a/../../b", "./x", "a//b", "a\\b", "a\nb", "\u{2029}x", "a\u{2028}b",
        "a\u{A0}b"
    ])
    func aListedPathOutsideTheBundleIsRefused(_ key: String) throws {
        let root = try Self.bundle([])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        let manifest = try JSONValue.parse(string: "{\"files\": {\"\(escaped)\": \"\(Self.digest)\"}}")
        #expect(
            BundleInventory.check(root: root, manifest: manifest).contains {
                $0.contains("which is not a plain path inside the bundle")
            })
    }

    @Test func linksAndFIFOsAreRefused() throws {
        let root = try Self.bundle(["inference/score.py"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(
            atPath: root + "/inference/outside.py", withDestinationPath: "/etc/hostname")
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        let problems = BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py"]))
        #expect(
            problems.contains("inference/outside.py is a symbolic link")
                && problems.contains("pipe is not a regular file"), "\(problems)")
    }

    @Test func aManifestWithoutFilesOrDigestsIsRefused() throws {
        let root = try Self.bundle([])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(
            BundleInventory.check(root: root, manifest: try JSONValue.parse(string: "{}")) == [
                "MANIFEST.json has no \"files\" object"
            ])
        #expect(
            BundleInventory.check(root: root, manifest: try JSONValue.parse(string: "{\"files\": {\"a\": \"zz\"}}"))
                == ["MANIFEST.json gives 'a' no sha256"])
    }
}

/// A bundle that expands past 64 MB plus 16 times its size is refused while it is extracted:
/// 100 MB of zeros compress to about 100 KB.
@Suite struct DecompressionBombTests {
    @Test func aBombIsRefusedWhileExtracting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-bomb-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let zeros = dir + "/zeros"
        #expect(FileManager.default.createFile(atPath: zeros, contents: nil))
        #expect(truncate(zeros, 100 << 20) == 0)
        try TarArchive.write(
            [ArchiveEntry(path: "model/zeros", content: .file(zeros))], to: dir + "/bomb.tar.gz", epoch: 0, root: "bomb"
        )
        try FileManager.default.removeItem(atPath: zeros)
        #expect {
            try TarArchive.extract(dir + "/bomb.tar.gz", into: dir + "/out")
        } throws: { error in
            (error as? ArchiveError)?.message.contains("refusing it as a decompression bomb") == true
        }
    }
}

/// Many empty entries are a bomb too (found by fuzz/bundle/fuzz_tar.py's review: the cap counted
/// file data only): 60,000 empty files compress to a few hundred KB; past 50,000 entries the
/// bundle is refused.
@Suite struct ManyEntriesBombTests {
    @Test func manyEmptyEntriesAreRefusedWhileExtracting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-entries-bomb-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz") as tar:
                for i in range(60000):
                    tar.addfile(tarfile.TarInfo("model/e%d" % i), io.BytesIO(b""))
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, dir + "/entries.tar.gz"]
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0)
        #expect {
            try TarArchive.extract(dir + "/entries.tar.gz", into: dir + "/out")
        } throws: { error in
            (error as? ArchiveError)?.message.contains("refusing it as a decompression bomb") == true
        }
        let made = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out/model"))?.count ?? 0
        #expect(made <= 50_000)
    }
}

/// Damaged .tar.gz bundles found by fuzz/bundle/fuzz_tar.py: libarchive failed on them without an
/// error message (archive_error_string gave NULL) and building ours from it trapped. Each is now a
/// refusal that names the bundle.
@Suite struct DamagedArchiveTests {
    @Test(arguments: [
        "H4sIAAAAAAACA+3WSw6CMBAG4B6FE9A33XoALiEyIgEHw0Ovb2MTE40bSTohof9mmm6/mWmrBeseOIsZ4eOsfVWf7xrOShXaKh3unRKWZZYRZJnm45hlbKepgj/gnW/J37nkT+nf4hlGwFOUTfC3v5TS6ORP6H8dauj5VuZfCp32P6n/rWumaA/ACn9pZfKn9n9cAPoIbbBi/xsjkj9Fcp7zQzlgU7bYRZz/H+5vf1OYz17w/7/Cz3+Z/KnmH/eRJ8I3OhfuDgAAsGL/GyOSP0VynvNDOWBTtthFnP8f7m9/U5jPXvD/v8LPf5n8qeYf95Enwjc6F+4OAAA=",
        "H4sIAAAAAAACA+3WSw6CMBAG4B6FE9A33XoALiEyIgEHw0Ovb2MTE40bSTohof9mmm6/mWmrBeseOIsZ4eOsfVWf7xrOShXaKh3unRKWZZYRZJnm45hlbKepgj/gnW/J37nkT+nf4hlGwFOUTfC3v5TS6ORP6H8dauj5VuZfCp32P6n/rWumaA/ACn9pZfKn9n9cAPoIbbBi/xsjkj9Fcp7zQzlgU7bYRZz/H+5vf1OYz17w/7/Cz3+Z/KnmH/eRJ8I3OhfuDgAA",
        "H4sIAAAAAAACA+1YbawdRRm+JIbqbUwIbVP9YbqeQtpLevbufO3HuTQNtS1+9FIpqDGlnM7OR89y9+xud/fc9t7SpIntnwbFBDDxGiHVpNEWQ4xKTVSCPyCNisakYuQHJgia8AeRQsSAcWb3nF57r0WBnJOazvNnd2dmn3fm/Zh35g17CY/F5Ngw4Sh4hFRPhaXP+h1CFxGI6nYPOmTMImMjQK8oaW5ZY1cpwtr+IpmdvJLs73nG/qO0f5RIkYuEDWUneNf2BwBgZOw/Qvt3Uy7iySsl/oGDzP4/UvtnM/uLoSWA92B/QICx/6jtf7AjRDwEN3gP+z/GjrH/CO2/LWUzIpdRLIYU/y7Gl7c/IMvyv6fyv2PsP3Ts2L1r2ipYTkvWGR8zuErjf/qW2z61Y/sdd9r3FGky4vgH+rC3JP6r85+J/+Hj8LhlNbqxuv83WlbDsUFjU9Wi7wO6Jcqjom7iIovTua5ISt1O53u56MbNNImjRNQjFEmUp8lgiPooe7SirrqzubKTJroH2aAvR2ecQjXpaajPxTSkh4Uh8ZjHKYQO9T2CuBdyGlLmcEQlD10hqYehwMxDLiMhCxANscMlJwKiMAgrEYp19/Zbtk1vt7tck3rIp0wyBgKu/sESCZ8L3wmkSyGVWFIOhfQAdljoS1/SIISI+iFmlPpAIDkg1RWTXBzoRUoNasGFXUeSXR6qFu8gnwMWCslxwDjhhBBHSOlC6kACuBtyR7pegHhAMPVFGPqh61Kmxro+pQQPxCxezAuWCubCzuY0u+spFfiYY98XvmTYk4h6FPk+DAkNkfAow650aOAAiFFIlEpcIALHZyEGnu8P2Otr3/TOi+bGAYZYqPgTDFLXd4kfuD7xuEsJJWqqHGEH88ANBOc/DqykqVpDN0rnpWE19EeJ7CE/Qoy2TTDETTq/5dRvIg0IGirupfwzJwDnhGPdEsAvX4mSMVNxbKPtUqluS0uIlCHxmMvrzi78ARs4CSEe1G1Dxd/C+KobzOKwggizjDoIub9h3f/e8fwHwdL7HyZm/x8J1lu7pNRbuFV7gomlqzL+3yGbDT/+AcJL4h8T6Jn4HwXo5s0qO1t3VWm72ezQorO56FBI3Nb7zc5mK/n/if/lx8yR5v+l9z/oQpP/RwIupBUlUblxolVtARktChO4V138X3IRHPH5HwJ3Wf2HuCb+RwIZ09k0L3Tw1/WZtuwlrIzSpN4P1MGwfrEsliactuqHPUe7cb99sc7TGnCo98URcUq5yNvKtXqxaFndWMbpQbuYiQXNk2pE5XXtjJadVv1uZzP1v1kueMTKtkxag/e6vZYzK/JCT9XSFSXbU1192nrOTHG1rKQX98kipnp5uxKxVFIh8ojG0TzVa2/LNO/SUi02Tnu8/q8eVdMvClZSbdjvSrOiXebKoZSMci4TRV92VLSLaH9Cy14u2jJPu1VvuxMlSoKkcSHGa6Vcsh7NWysm4n2i+rOI5kU7nCs1PyCE9Jt7PT3O86kPmYNQwAOsy2BY+KHDoQwo4qEnxzMlPysHUyvorJpsFgv1JVOtP5qXkaRK+bVhLhlU1Ym1z1DlDEU7zSOhF1NkcaQNpJQ5GyX7+8T1/5e2LeHRCmlZnJZU5rQrxi/qS0+k+kPNeMOeww09UJeOeNoLY9HYZDUSNV63FCKjsaXccH/ZsTay7oTu7N9pdOVPWUYc2WQNKOo61eVoDkb8f2JZztCvf4ny3Uykuf6nfmsWmWC62NrggyHKBV2sR6gzf9Wypwn2Hqk5M6pMMXCUix5bO3DffAP37ZWsXUZd0Wa5oMr91TygA90mAE1ILIBaxGkBaHsY+AHYYM4XV1z+/+/12iGe/zFZev8n6gZg8v8o8NTvVx/7+2++ceFseutXb3WOfuZheON3X0U/ev5k58ILx9etmPzV2Fun7z1l0QPzn3zJnvj2P7yFh7ac7jzwJ/upbx1+8O597euOv7a+uXXnqolzXz6UPHvfn996/KZTU2+eofd+8MRU9sQXTj+3Dn06W3vjh7fs23zO/tnU9SvZ3Vten1m38g/o+PoDNyz84I93rXtlNTonj5/96+c7H7t992NHb37hi9e++ttHHn/66G3XvrzxzNr7t8+/8cMHzn7i4afPT4yFZ26fz1/6+fnrnnl27Z0vWsc+++KbY6vePvXIKx89v++mrSue+d3Ja7orroH0ZrFw/1702i8nVt73l6kvbft+a9dXPrRmdXTs5E/WvP3y80/suefJhz6wY/rE6Ud/Ovm969ecuGPngz/+xdavtS7Mf+Sbe25Y+PV3vn7eg2/87dHHtrw+9c/nVi2c2fW5Jzd93OwWBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGVxr+BXxi4vs="
    ])
    func aDamagedGzipStreamIsRefused(_ base64: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-damaged-tar-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #require(Data(base64Encoded: base64)).write(to: URL(fileURLWithPath: dir + "/bundle.tar.gz"))
        #expect {
            try TarArchive.extract(dir + "/bundle.tar.gz", into: dir + "/out")
        } throws: { error in
            (error as? ArchiveError)?.message.hasPrefix(dir + "/bundle.tar.gz") == true
        }
    }
}
