// Live indexes over loopback: the embedded PyPI snapshot and conda channel served by
// scripts/serve-index.py on 127.0.0.1 (ETag, Last-Modified, Cache-Control, 304s, generated
// .bz2 repodata, basic auth, bearer tokens, TLS with a CA of the test's own), read by the real
// binary through its HTTP cache. Answers must equal the ones read from disk; credentials must
// never reach an output or the cache; the cache must survive concurrent and killed processes.

import Foundation
import JSON
import Testing

@Suite(.serialized) struct LiveIndexTests {
    static let model = "fixtures/models/sklearn-conda"

    /// name==version of every package a resolve printed as JSON (exit code checked by callers).
    static func pins(_ json: String) throws -> [String] {
        let value = try JSONValue.parse(Array(json.utf8))
        return (value["packages"]?.arrayValue ?? []).compactMap { p in
            guard let name = p["name"]?.stringValue, let version = p["version"]?.stringValue else { return nil }
            return "\(name)==\(version)"
        }.sorted()
    }

    static func resolve(
        _ server: IndexServer, cache: String, _ extra: [String] = [], environment: [String: String] = [:],
        credentials: String = ""
    ) throws -> CLI.Result {
        try CLI.run(
            [
                "resolve", model, "--deployment", "azureml-online", "--format", "json", "--cache-dir", cache,
                "--channel", server.url(credentials) + "conda-forge", "--index-url",
                server.url(credentials) + "pypi/simple"
            ] + extra,
            environment: environment)
    }

    static let embedded: [String] = {
        let result = try! CLI.run([
            "resolve", model, "--deployment", "azureml-online", "--format", "json", "--sources", "embedded",
            "--no-cache"
        ])
        return try! pins(result.stdout)
    }()

    /// The source options join every command's own: a clash of names would fail each parse.
    @Test(arguments: [
        "resolve", "lock", "dockerfile", "package", "lint", "search", "channels", "mirror", "cache", "cache info",
        "cache clean"
    ])
    func everyCommandParsesWithTheSourceOptions(_ command: String) throws {
        let result = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func servedSourcesGiveTheAnswerOfTheSameFilesOnDisk() throws {
        let server = try IndexServer(["--max-age", "600"])
        defer { server.stop() }
        let cache = try Scratch.directory()
        let cold = try Self.resolve(server, cache: cache)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(try Self.pins(cold.stdout) == Self.embedded)
        #expect(!Self.embedded.isEmpty)
        let coldRequests = server.requests().count
        #expect(coldRequests > 100)
        // Fresh for 600 s: the warm run asks only for the compressed repodata and the shard
        // index the server lacks.
        let warm = try Self.resolve(server, cache: cache)
        #expect(warm.status == 0)
        #expect(try Self.pins(warm.stdout) == Self.embedded)
        let warmRequests = server.requests().dropFirst(coldRequests)
        #expect(
            warmRequests.allSatisfy {
                $0.contains("repodata.json.zst 404") || $0.contains("repodata_shards.msgpack.zst 404")
            },
            "\(Array(warmRequests.prefix(5)))")
        // The report names the live sources.
        let report = try JSONValue.parse(Array(warm.stdout.utf8))
        #expect(report["sources"]?.arrayValue?.allSatisfy { $0["live"] == .bool(true) } == true)
        #expect(report["resolved_at"]?.stringValue?.hasSuffix("Z") == true)
    }

    /// CEP 16: a channel that offers a shard index is read by name, only the shards the solve
    /// reaches, with the answer of the whole repodata; shards are content-addressed, so a warm
    /// run fetches none, `--offline` needs none fetched, and a shard that does not match its
    /// hash is refused.
    @Test func shardedRepodataFetchesOnlyTheShardsTheSolveReaches() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(
            atPath: CLI.repository.path + "/channels/conda-forge", toPath: root + "/conda-forge")
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["python3", CLI.repository.path + "/scripts/make-shards.py", root + "/conda-forge"]
        made.standardError = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
        try #require(made.terminationStatus == 0, "make-shards.py failed (is zstd installed?)")
        let shardFiles = try ["linux-64", "noarch"].reduce(0) {
            $0 + (try FileManager.default.contentsOfDirectory(atPath: "\(root)/conda-forge/\($1)/shards").count)
        }
        let server = try IndexServer([], directory: root)
        defer { server.stop() }
        func resolve(_ cache: String, _ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(
                [
                    "resolve", Self.model, "--deployment", "azureml-online", "--format", "json", "--cache-dir", cache,
                    "--channel", server.url() + "conda-forge", "--index", CLI.repository.path + "/channels/pypi"
                ] + extra)
        }
        let cache = try Scratch.directory()
        let cold = try resolve(cache)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(try Self.pins(cold.stdout) == Self.embedded)
        let coldRequests = server.requests()
        let shardsFetched = coldRequests.filter { $0.contains("/shards/") && $0.contains(" 200") }.count
        #expect(shardsFetched > 10 && shardsFetched * 4 < shardFiles, "\(shardsFetched) of \(shardFiles) shards")
        #expect(
            !coldRequests.contains { $0.contains("repodata.json") },
            "\(coldRequests.filter { $0.contains("repodata.json") })")
        // Warm: the shard index is revalidated, no shard is asked for again.
        let warm = try resolve(cache)
        #expect(try Self.pins(warm.stdout) == Self.embedded)
        let warmRequests = server.requests().dropFirst(coldRequests.count)
        #expect(
            warmRequests.allSatisfy { $0.contains("repodata_shards.msgpack.zst") }, "\(Array(warmRequests.prefix(5)))")
        // Offline from that cache.
        let offline = try resolve(cache, ["--offline"])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(try Self.pins(offline.stdout) == Self.embedded)
        // A shard whose bytes are not the ones its name (its hash) promises is refused.
        let shards = root + "/conda-forge/noarch/shards"
        for file in try FileManager.default.contentsOfDirectory(atPath: shards) {
            let path = shards + "/" + file
            var bytes = try Array(Foundation.Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count - 1] ^= 0xff
            try Foundation.Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let tampered = try resolve(try Scratch.directory())
        #expect(tampered.status == 2, "\(tampered.stdout)")
        #expect(tampered.stderr.contains("does not match its SHA-256 in the shard index"), "\(tampered.stderr)")
    }

    /// A shard index that puts the package files elsewhere (its `base_url` is not the subdir)
    /// is not used: lock files would name files the shards do not vouch for. The channel is read
    /// whole instead, with the same answer.
    @Test func aShardIndexWithAForeignBaseIsNotUsed() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(
            atPath: CLI.repository.path + "/channels/conda-forge", toPath: root + "/conda-forge")
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = [
            "python3", CLI.repository.path + "/scripts/make-shards.py", root + "/conda-forge", "--base-url",
            "https://elsewhere.invalid/conda-forge/"
        ]
        made.standardError = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
        try #require(made.terminationStatus == 0, "make-shards.py failed (is zstd installed?)")
        let server = try IndexServer([], directory: root)
        defer { server.stop() }
        let result = try CLI.run([
            "resolve", Self.model, "--deployment", "azureml-online", "--format", "json", "--cache-dir",
            try Scratch.directory(),
            "--channel", server.url() + "conda-forge", "--index", CLI.repository.path + "/channels/pypi"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.pins(result.stdout) == Self.embedded)
        #expect(
            !server.requests().contains { $0.contains("/shards/") },
            "\(server.requests().filter { $0.contains("/shards/") }.prefix(3))")
        #expect(
            server.requests().contains { $0.contains("/repodata.json") && $0.contains(" 200") }, "\(server.requests())")
        #expect(!result.stdout.contains("elsewhere.invalid"))
    }

    /// The real conda-forge records (`../shared/channels/conda-forge` when it is beside the
    /// checkout, else the embedded subset) served as `repodata.json.zst` only: read over HTTP
    /// they give the answer the plain files on disk give.
    @Test func zstdRepodataOverHTTPGivesTheAnswerOfThePlainFiles() throws {
        let source =
            FileManager.default.fileExists(
                atPath: CLI.repository.deletingLastPathComponent().path
                    + "/shared/channels/conda-forge/noarch/repodata.json")
            ? CLI.repository.deletingLastPathComponent().path + "/shared/channels/conda-forge"
            : CLI.repository.path + "/channels/conda-forge"
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for subdir in ["linux-64", "noarch"] {
            try FileManager.default.createDirectory(
                atPath: "\(root)/conda-forge/\(subdir)", withIntermediateDirectories: true)
            let zstd = Process()
            zstd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            zstd.arguments = [
                "zstd", "-q", "-f", "\(source)/\(subdir)/repodata.json", "-o",
                "\(root)/conda-forge/\(subdir)/repodata.json.zst"
            ]
            try zstd.run()
            zstd.waitUntilExit()
            try #require(zstd.terminationStatus == 0, "zstd is not installed")
        }
        let server = try IndexServer([], directory: root)
        defer { server.stop() }
        let common = [
            "resolve", Self.model, "--deployment", "azureml-online", "--format", "json", "--index",
            CLI.repository.path + "/channels/pypi"
        ]
        let served = try CLI.run(
            common + ["--channel", server.url() + "conda-forge", "--cache-dir", try Scratch.directory()])
        let onDisk = try CLI.run(common + ["--channel", source, "--no-cache"])
        #expect(served.status == 0 && onDisk.status == 0, "\(served.stderr)\(onDisk.stderr)")
        #expect(try Self.pins(served.stdout) == (try Self.pins(onDisk.stdout)))
        #expect(server.requests().filter { $0.contains("repodata.json.zst 200") }.count == 2, "\(server.requests())")
    }

    /// A request nothing provides is the answer against a remote index: no walk through every
    /// release of every project to find the other conflict too; the report says so.
    @Test func anUnprovidedRequestEndsARemoteSolve() throws {
        let server = try IndexServer(["--max-age", "600"])
        defer { server.stop() }
        let result = try CLI.run([
            "resolve", Self.model, "--deployment", "none", "--env-manager", "virtualenv", "--cache-dir",
            try Scratch.directory(),
            "--index-url", server.url() + "pypi/simple", "--with", "numpy==0.0.1", "--with", "mlflow==3.17.2"
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("numpy==0.0.1"))
        #expect(result.stdout.contains("only the requests nothing provides are shown"))
        // The requested projects' pages alone said so: none of mlflow's requirements was
        // fetched, nor mlflow's own metadata.
        #expect(
            !server.requests().contains { $0.contains("/alembic/") || $0.contains("/flask/") }, "\(server.requests())")
        #expect(
            !server.requests().contains { $0.contains("/mlflow/") && $0.contains(".metadata") }, "\(server.requests())")
        // Read from disk, the whole universe explains both problems.
        let local = try CLI.run([
            "resolve", Self.model, "--deployment", "none", "--env-manager", "virtualenv", "--sources", "embedded",
            "--with", "numpy==0.0.1", "--with", "mlflow==3.17.2"
        ])
        #expect(local.status == 1)
        #expect(local.stdout.contains("numpy==0.0.1") && local.stdout.contains("mlflow"))
        #expect(!local.stdout.contains("only the requests nothing provides are shown"))
    }

    @Test func staleEntriesAreRevalidatedWith304s() throws {
        let server = try IndexServer(["--max-age", "0"])
        defer { server.stop() }
        let cache = try Scratch.directory()
        #expect(try Self.resolve(server, cache: cache).status == 0)
        let first = server.requests().count
        let again = try Self.resolve(server, cache: cache)
        #expect(again.status == 0)
        #expect(try Self.pins(again.stdout) == Self.embedded)
        let second = Array(server.requests().dropFirst(first))
        let revalidated = second.filter { $0.hasSuffix("304 conditional") }
        #expect(revalidated.count > 100)
        // Every 200 entry came back as a 304 (only the missing .zst files are asked again).
        #expect(
            second.allSatisfy { $0.hasSuffix("304 conditional") || $0.contains(" 404") },
            "\(second.filter { !$0.hasSuffix("304 conditional") }.prefix(5))")
        // --refresh revalidates even fresh entries.
        let fresh = try IndexServer(["--max-age", "600"])
        defer { fresh.stop() }
        let freshCache = try Scratch.directory()
        #expect(try Self.resolve(fresh, cache: freshCache).status == 0)
        let before = fresh.requests().count
        #expect(try Self.resolve(fresh, cache: freshCache, ["--refresh"]).status == 0)
        #expect(fresh.requests().dropFirst(before).filter { $0.hasSuffix("304 conditional") }.count > 100)
    }

    @Test func offlineUsesTheCacheAndNamesWhatIsMissing() throws {
        let server = try IndexServer([])
        let cache = try Scratch.directory()
        #expect(try Self.resolve(server, cache: cache).status == 0)
        let port = server.port
        server.stop()
        // The server is gone: --offline answers from the cache, stale or not.
        let offline = try CLI.run([
            "resolve", Self.model, "--deployment", "azureml-online", "--format", "json", "--cache-dir", cache,
            "--offline",
            "--channel", "http://127.0.0.1:\(port)/conda-forge", "--index-url", "http://127.0.0.1:\(port)/pypi/simple"
        ])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(try Self.pins(offline.stdout) == Self.embedded)
        let empty = try Scratch.directory()
        let cold = try CLI.run([
            "resolve", Self.model, "--deployment", "azureml-online", "--cache-dir", empty, "--offline",
            "--channel", "http://127.0.0.1:\(port)/conda-forge", "--index-url", "http://127.0.0.1:\(port)/pypi/simple"
        ])
        #expect(cold.status == 2, "sources that cannot be read are bad input, not a verdict")
        #expect(cold.stderr.contains("--offline"))
        #expect(cold.stderr.contains("repodata.json"))
    }

    @Test func credentialsWorkAndNeverLeak() throws {
        let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
        let token = "tok-\(UInt32.random(in: 0...UInt32.max))"
        let server = try IndexServer(["--basic-auth", "alice:\(secret)", "--bearer", token])
        defer { server.stop() }
        // Without credentials: refused, and the message says what would help.
        let refused = try Self.resolve(server, cache: try Scratch.directory())
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("401"))
        #expect(refused.stderr.contains("netrc"))
        // user:password in the URL, a netrc file, a bearer token: each resolves.
        let inURL = try Scratch.directory()
        let viaURL = try Self.resolve(server, cache: inURL, ["--tree"], credentials: "alice:\(secret)@")
        let netrc = try Scratch.directory() + "/netrc"
        try "machine 127.0.0.1 login alice password \(secret)\n".write(toFile: netrc, atomically: true, encoding: .utf8)
        let viaNetrc = try Self.resolve(server, cache: try Scratch.directory(), environment: ["NETRC": netrc])
        let viaToken = try Self.resolve(
            server, cache: try Scratch.directory(), environment: ["MLENV_INDEX_TOKEN": token])
        for result in [viaURL, viaNetrc, viaToken] {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Self.pins(result.stdout) == Self.embedded)
            #expect(
                !result.stdout.contains(secret) && !result.stderr.contains(secret) && !result.stdout.contains(token))
        }
        // Lock files name the sources they were resolved from, without the credentials.
        let locks = try Scratch.directory()
        let locked = try CLI.run([
            "lock", Self.model, "--deployment", "azureml-online", "--cache-dir", inURL, "-o", locks,
            "--channel", server.url("alice:\(secret)@") + "conda-forge", "--index-url",
            server.url("alice:\(secret)@") + "pypi/simple"
        ])
        #expect(locked.status == 0, "\(locked.stderr)")
        for name in ["conda-lock.yml", "conda-linux-64.lock", "requirements.lock.txt", "environment.yml"] {
            let text = try String(contentsOfFile: locks + "/" + name, encoding: .utf8)
            let sources = text.split(separator: "\n").first { $0.hasPrefix("# Sources: ") } ?? ""
            #expect(
                sources.hasPrefix("# Sources: conda http://***@127.0.0.1:\(server.port)/conda-forge; pypi http://")
                    && sources.contains("127.0.0.1:\(server.port)/pypi/simple"), "\(name): \(text.prefix(300))")
            #expect(!text.contains(secret), "\(name)")
        }
        #expect(viaURL.stdout.contains("***@127.0.0.1"))
        // A token that would add a header line of its own is refused before any request.
        let injected = try Self.resolve(
            server, cache: try Scratch.directory(), environment: ["MLENV_INDEX_TOKEN": "\(token)\r\nX-Evil: 1"])
        #expect(injected.status == 2)
        #expect(injected.stderr.contains("MLENV_INDEX_TOKEN"))
        #expect(!server.requests().contains { $0.contains("X-Evil") })
        // Nothing in the cache holds the password.
        let grep = Process()
        grep.executableURL = URL(fileURLWithPath: "/bin/grep")
        grep.arguments = ["-rqa", secret, inURL]
        try grep.run()
        grep.waitUntilExit()
        #expect(grep.terminationStatus == 1, "the password is in the cache")
    }

    @Test func httpsWithTheCAGivenByCert() throws {
        let tls = try Scratch.directory()
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["python3", CLI.repository.path + "/scripts/serve-index.py", "make-ca", tls]
        made.standardOutput = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
        try #require(made.terminationStatus == 0, "openssl could not make a test CA")
        let server = try IndexServer(
            ["--tls-cert", tls + "/server.pem", "--tls-key", tls + "/server-key.pem"], scheme: "https")
        defer { server.stop() }
        let untrusted = try Self.resolve(server, cache: try Scratch.directory(), environment: ["SSL_CERT_FILE": ""])
        #expect(untrusted.status != 0)
        let trusted = try Self.resolve(server, cache: try Scratch.directory(), ["--cert", tls + "/ca.pem"])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(try Self.pins(trusted.stdout) == Self.embedded)
        let viaEnvironment = try Self.resolve(
            server, cache: try Scratch.directory(), environment: ["SSL_CERT_FILE": tls + "/ca.pem"])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
    }

    @Test func theCacheSurvivesEightConcurrentProcessesAndAKilledOne() throws {
        let server = try IndexServer(["--max-age", "0", "--delay", "0.002"])
        defer { server.stop() }
        let cache = try Scratch.directory()
        // One process killed mid-download, then eight at once on the same cache.
        let victim = Process()
        victim.executableURL = CLI.binary
        victim.arguments = [
            "resolve", Self.model, "--cache-dir", cache, "--channel", server.url() + "conda-forge", "--index-url",
            server.url() + "pypi/simple"
        ]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        usleep(700_000)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        nonisolated(unsafe) var results = [CLI.Result?](repeating: nil, count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in results[i] = try? Self.resolve(server, cache: cache) }
        for result in results {
            #expect(result?.status == 0, "\(result?.stderr ?? "did not run")")
            #expect(try Self.pins(result?.stdout ?? "") == Self.embedded)
        }
        // Afterwards every entry is whole: the cache alone answers.
        let offline = try Self.resolve(server, cache: cache, ["--offline"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let info = try CLI.run(["cache", "info", "--cache-dir", cache, "--format", "json"])
        #expect(info.status == 0)
        let clean = try CLI.run(["cache", "clean", "--cache-dir", cache])
        #expect(clean.status == 0)
        #expect(!FileManager.default.fileExists(atPath: cache + "/http-v1"))
    }
}

/// scripts/serve-index.py on 127.0.0.1, with its request log.
final class IndexServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let scheme: String
    let log: String

    init(_ options: [String], scheme: String = "http", directory: String = CLI.repository.path + "/channels") throws {
        let scratch = try Scratch.directory()
        log = scratch + "/requests.log"
        let portFile = scratch + "/port"
        self.scheme = scheme
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", CLI.repository.path + "/scripts/serve-index.py", "--directory", directory,
                "--port", "0", "--port-file", portFile, "--log", log
            ] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                found = p
                break
            }
            usleep(50_000)
        }
        guard let found else { throw CocoaError(.fileReadNoSuchFile) }
        port = found
    }

    func url(_ credentials: String = "") -> String { "\(scheme)://\(credentials)127.0.0.1:\(port)/" }

    /// "GET /path STATUS [conditional]" per request so far.
    func requests() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

enum Scratch {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
