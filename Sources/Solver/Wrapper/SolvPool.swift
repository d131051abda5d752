// The only file that calls libsolv. One pool per solve, owned by this class and freed in
// deinit (no globals: Swift 6 strict concurrency).
//
// The mapping (DESIGN.md "Solving with libsolv"): libsolv sees opaque ids only. Every solvable
// provides its own `name = evr` (without the self-provide, libsolv's same-name rule does not
// apply and two versions of a package would install together); evr is the candidate's rank
// among its name, so "prefer the highest evr" means "prefer the newest" in our semantics; a
// dependency is a string id whose providers we set ourselves from our own matcher.

import CLibsolv
import CSolvExt

final class SolvPool {
    let pool: UnsafeMutablePointer<Pool>
    private var repos: [String: UnsafeMutablePointer<Repo>] = [:]
    private let arch: Id

    init() {
        pool = pool_create()
        pool_setarch(pool, "x86_64")
        arch = pool_str2id(pool, "x86_64", 1)
    }

    deinit {
        pool_free(pool)
    }

    func repo(_ name: String, priority: Int32) -> UnsafeMutablePointer<Repo> {
        if let repo = repos[name] { return repo }
        let repo = repo_create(pool, name)!
        repo.pointee.priority = priority
        repos[name] = repo
        return repo
    }

    func string(_ text: String) -> Id { pool_str2id(pool, text, 1) }

    func text(_ id: Id) -> String { String(cString: pool_id2str(pool, id)) }

    /// Adds a solvable named `name` with evr `rank`, providing itself.
    func addSolvable(to repo: UnsafeMutablePointer<Repo>, name: String, rank: Int) -> Id {
        addSolvable(to: repo, name: string(name), rank: rank)
    }

    /// The id of a rank's text, by rank: every name's candidates are ranked 1, 2, … (a pool of
    /// tens of thousands of wheels asks for the same few thousand).
    private var rankIds: [Id] = []

    /// `addSolvable(to:name:rank:)` with the name already interned (`string`).
    func addSolvable(to repo: UnsafeMutablePointer<Repo>, name: Id, rank: Int) -> Id {
        let id = repo_add_solvable(repo)
        let solvable = pool_id2solvable(pool, id)!
        solvable.pointee.name = name
        if rank >= 0 && rank < rankIds.count && rankIds[rank] != 0 {
            solvable.pointee.evr = rankIds[rank]
        } else {
            let evr = string(String(rank))
            if rank >= 0 && rank < 1 << 20 {
                if rank >= rankIds.count { rankIds += [Id](repeating: 0, count: rank + 1 - rankIds.count) }
                rankIds[rank] = evr
            }
            solvable.pointee.evr = evr
        }
        solvable.pointee.arch = arch
        let selfProvide = pool_rel2id(pool, solvable.pointee.name, solvable.pointee.evr, Int32(REL_EQ), 1)
        solvable.pointee.provides = repo_addid_dep(repo, solvable.pointee.provides, selfProvide, 0)
        return id
    }

    func addRequires(_ solvable: Id, _ dep: Id) {
        let s = pool_id2solvable(pool, solvable)!
        s.pointee.requires = repo_addid_dep(s.pointee.repo, s.pointee.requires, dep, 0)
    }

    func addConflicts(_ solvable: Id, _ dep: Id) {
        let s = pool_id2solvable(pool, solvable)!
        s.pointee.conflicts = repo_addid_dep(s.pointee.repo, s.pointee.conflicts, dep, 0)
    }

    /// The dependency ids a solvable requires.
    func requires(of solvable: Id) -> [Id] {
        guard let s = pool_id2solvable(pool, solvable), let repo = s.pointee.repo, s.pointee.requires != 0 else {
            return []
        }
        var result: [Id] = []
        var p = repo.pointee.idarraydata.advanced(by: Int(s.pointee.requires))
        while p.pointee != 0 {
            result.append(p.pointee)
            p = p.advanced(by: 1)
        }
        return result
    }

    /// Call once every solvable is in, before setting providers.
    func finishLoading() {
        for repo in repos.values { repo_internalize(repo) }
        pool_createwhatprovides(pool)
    }

    /// Sets the providers of a dependency id (a plain string id) to exactly `solvables`.
    func setProviders(_ dep: Id, _ solvables: [Id]) {
        var queue = Queue()
        queue_init(&queue)
        defer { queue_free(&queue) }
        for s in solvables { queue_push(&queue, s) }
        pool.pointee.whatprovides[Int(dep)] = Offset(pool_queuetowhatprovides(pool, &queue))
    }

    func providers(_ dep: Id) -> [Id] {
        var result: [Id] = []
        var p = pool_whatprovides_ptr(pool, dep)
        while let current = p, current.pointee != 0 {
            result.append(current.pointee)
            p = current.advanced(by: 1)
        }
        return result
    }

    // MARK: Solving

    enum Job {
        case install(dep: Id)
        /// None of these may be installed.
        case forbid([Id])
    }

    struct Outcome {
        var installed: [Id]
        /// Per problem, the rules libsolv says are involved.
        var problems: [[RuleInfo]]
    }

    struct RuleInfo: Hashable {
        enum Kind: Hashable {
            case job, jobNothingProvides, requires, nothingProvides, conflicts, sameName, notInstallable
            case other(UInt32)
        }
        let kind: Kind
        let source: Id
        let target: Id
        let dep: Id

        /// The solvables the rule names (a job rule's source is the job's index in the job
        /// queue and its target the job's flags: neither is a solvable).
        var solvables: [Id] {
            switch kind {
            case .job, .jobNothingProvides: return []
            default: return [source, target].filter { $0 != 0 }
            }
        }
    }

    func solve(_ jobs: [Job]) -> Outcome {
        var queue = Queue()
        queue_init(&queue)
        defer { queue_free(&queue) }
        for job in jobs {
            switch job {
            case .install(let dep):
                queue_push2(&queue, Id(SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES), dep)
            case .forbid(let solvables):
                guard !solvables.isEmpty else { continue }
                var set = Queue()
                queue_init(&set)
                for s in solvables { queue_push(&set, s) }
                let what = pool_queuetowhatprovides(pool, &set)
                queue_free(&set)
                queue_push2(&queue, Id(SOLVER_ERASE | SOLVER_SOLVABLE_ONE_OF), what)
            }
        }
        let solver = solver_create(pool)!
        defer { solver_free(solver) }
        solver_set_flag(solver, Int32(SOLVER_FLAG_IGNORE_RECOMMENDED), 1)
        let problemCount = solver_solve(solver, &queue)
        if problemCount == 0 {
            var decisions = Queue()
            queue_init(&decisions)
            defer { queue_free(&decisions) }
            solver_get_decisionqueue(solver, &decisions)
            var installed: [Id] = []
            for i in 0..<Int(decisions.count) {
                let p = decisions.elements[i]
                if p > 0 && p != Id(SYSTEMSOLVABLE) { installed.append(p) }
            }
            return Outcome(installed: installed, problems: [])
        }
        var problems: [[RuleInfo]] = []
        for problem in 1...Id(problemCount) {
            var rules = Queue()
            queue_init(&rules)
            solver_findallproblemrules(solver, problem, &rules)
            var infos: [RuleInfo] = []
            for i in 0..<Int(rules.count) {
                var source: Id = 0
                var target: Id = 0
                var dep: Id = 0
                let type = solver_ruleinfo(solver, rules.elements[i], &source, &target, &dep)
                let kind: RuleInfo.Kind
                switch type {
                case SOLVER_RULE_JOB: kind = .job
                case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP, SOLVER_RULE_JOB_UNKNOWN_PACKAGE: kind = .jobNothingProvides
                case SOLVER_RULE_PKG_REQUIRES: kind = .requires
                case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP: kind = .nothingProvides
                case SOLVER_RULE_PKG_CONFLICTS: kind = .conflicts
                case SOLVER_RULE_PKG_SAME_NAME: kind = .sameName
                case SOLVER_RULE_PKG_NOT_INSTALLABLE: kind = .notInstallable
                default: kind = .other(type.rawValue)
                }
                infos.append(RuleInfo(kind: kind, source: source, target: target, dep: dep))
            }
            queue_free(&rules)
            problems.append(infos)
        }
        return Outcome(installed: [], problems: problems)
    }

    /// A libsolv testcase (for bug reports): the pool, the jobs and the result.
    func writeTestcase(_ jobs: [Job], directory: String) -> Bool {
        var queue = Queue()
        queue_init(&queue)
        defer { queue_free(&queue) }
        for job in jobs {
            if case .install(let dep) = job { queue_push2(&queue, Id(SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES), dep) }
        }
        let solver = solver_create(pool)!
        defer { solver_free(solver) }
        _ = solver_solve(solver, &queue)
        return mlenv_testcase_write(solver, directory, Int32(TESTCASE_RESULT_TRANSACTION | TESTCASE_RESULT_PROBLEMS))
            != 0
    }
}

/// `pool_whatprovides` as a pointer into whatprovidesdata (the header's inline helper).
private func pool_whatprovides_ptr(_ pool: UnsafeMutablePointer<Pool>, _ d: Id) -> UnsafeMutablePointer<Id>? {
    let offset = pool_whatprovides(pool, d)
    return pool.pointee.whatprovidesdata.map { $0.advanced(by: Int(offset)) }
}
