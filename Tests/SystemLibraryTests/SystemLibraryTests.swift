// Smoke tests: each C library links and does real work from Swift.

import CArchive
import CLibsolv
import CYAML
import Foundation
import Testing

@Suite struct LibsolvSmokeTests {
    /// Two packages, A requires B: installing A must bring in B.
    @Test func solvesATwoPackageJob() throws {
        let pool = try #require(pool_create())
        defer { pool_free(pool) }
        pool_setarch(pool, "x86_64")
        let repo = try #require(repo_create(pool, "test"))

        func addSolvable(_ name: String, requires: String?) -> Id {
            let id = repo_add_solvable(repo)
            let solvable = pool_id2solvable(pool, id)!
            solvable.pointee.name = pool_str2id(pool, name, 1)
            solvable.pointee.evr = pool_str2id(pool, "1", 1)
            solvable.pointee.arch = pool_str2id(pool, "x86_64", 1)
            let selfProvide = pool_rel2id(pool, solvable.pointee.name, solvable.pointee.evr, Int32(REL_EQ), 1)
            solvable.pointee.provides = repo_addid_dep(repo, solvable.pointee.provides, selfProvide, 0)
            if let requires {
                solvable.pointee.requires = repo_addid_dep(
                    repo, solvable.pointee.requires, pool_str2id(pool, requires, 1), 0)
            }
            return id
        }
        let a = addSolvable("A", requires: "B")
        let b = addSolvable("B", requires: nil)
        repo_internalize(repo)
        pool_createwhatprovides(pool)

        var job = Queue()
        queue_init(&job)
        defer { queue_free(&job) }
        queue_push2(&job, Id(SOLVER_INSTALL | SOLVER_SOLVABLE_NAME), pool_str2id(pool, "A", 0))

        let solver = try #require(solver_create(pool))
        defer { solver_free(solver) }
        let problems = solver_solve(solver, &job)
        #expect(problems == 0)

        var decisions = Queue()
        queue_init(&decisions)
        defer { queue_free(&decisions) }
        solver_get_decisionqueue(solver, &decisions)
        let installed = (0..<Int(decisions.count)).map { decisions.elements[$0] }.filter {
            $0 > 0 && $0 != Id(SYSTEMSOLVABLE)
        }  // positive = installed; the system solvable is always "installed"
        #expect(Set(installed) == [a, b])
    }

    @Test func computesSHA256() throws {
        let chk = try #require(solv_chksum_create(Id(REPOKEY_TYPE_SHA256.rawValue)))
        let bytes = Array("abc".utf8)
        solv_chksum_add(chk, bytes, Int32(bytes.count))
        var length: Int32 = 0
        let digest = try #require(solv_chksum_get(chk, &length))
        let hex = (0..<Int(length)).map { String(format: "%02x", digest[$0]) }.joined()
        solv_chksum_free(chk, nil)
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct LibyamlSmokeTests {
    @Test func parsesADocument() throws {
        var parser = yaml_parser_t()
        #expect(yaml_parser_initialize(&parser) == 1)
        defer { yaml_parser_delete(&parser) }
        let text = Array("name: mlflow-env\nchannels: [conda-forge]\n".utf8)
        var document = yaml_document_t()
        text.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            _ = yaml_parser_load(&parser, &document)
        }
        defer { yaml_document_delete(&document) }
        let root = try #require(yaml_document_get_root_node(&document))
        #expect(root.pointee.type == YAML_MAPPING_NODE)
        let pairs = root.pointee.data.mapping.pairs
        #expect(pairs.top - pairs.start == 2)
    }
}

@Suite struct LibarchiveSmokeTests {
    /// Writes a zip with one entry through libarchive, then reads it back.
    @Test func readsAZip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-smoke-\(getpid()).zip").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let content = Array("Metadata-Version: 2.1\nName: demo\n".utf8)

        let writer = try #require(mlenv_archive_write_new())
        mlenv_archive_write_set_format_zip(writer)
        #expect(mlenv_archive_write_open_filename(writer, path) == ARCHIVE_OK)
        let entry = try #require(mlenv_archive_entry_new())
        mlenv_archive_entry_set_pathname(entry, "demo-1.0.dist-info/METADATA")
        mlenv_archive_entry_set_size(entry, la_int64_t(content.count))
        mlenv_archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG
        mlenv_archive_entry_set_perm(entry, 0o644)
        mlenv_archive_write_header(writer, entry)
        _ = content.withUnsafeBytes { mlenv_archive_write_data(writer, $0.baseAddress, $0.count) }
        mlenv_archive_entry_free(entry)
        mlenv_archive_write_close(writer)
        mlenv_archive_write_free(writer)

        let reader = try #require(mlenv_archive_read_new())
        defer { mlenv_archive_read_free(reader) }
        mlenv_archive_read_support_format_zip(reader)
        #expect(mlenv_archive_read_open_filename(reader, path, 10240) == ARCHIVE_OK)
        var header: OpaquePointer?
        #expect(mlenv_archive_read_next_header(reader, &header) == ARCHIVE_OK)
        let name = String(cString: mlenv_archive_entry_pathname(header))
        #expect(name == "demo-1.0.dist-info/METADATA")
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = mlenv_archive_read_data(reader, &buffer, buffer.count)
        #expect(Array(buffer[0..<n]) == content)
    }
}
