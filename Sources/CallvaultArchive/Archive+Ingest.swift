public import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultBlobStore
import CallvaultAudit
import CallvaultIngest

extension Archive {
    /// Records handed from the parser thread to the writer at a time (bounds memory).
    static let callBatchSize = 5_000
    /// Batches committed per transaction: large transactions write each index page to the
    /// WAL once instead of once per batch; a crash mid-file loses at most one transaction's
    /// work, which the re-run redoes (source keys skip what was committed).
    static let batchesPerTransaction = 20

    /// Ingests files and folders (recursively). Bad lines and unknown files are reported in
    /// the summary; good data beside them is kept. Re-ingesting changes nothing.
    /// - Parameter format: a format name to force, or nil to detect each file's format.
    public func ingest(_ paths: [URL], format: String? = nil, actor: Actor,
                       progress: any ProgressReporter = SilentProgress()) throws -> IngestSummary {
        try authorize(actor, .ingestFiles)
        return try ingestFiles(paths, format: format, actor: actor, progress: progress)
    }

    /// `ingest` for an actor already authorised: the spool watcher (`ingest`, checked by
    /// `SpoolWatcher`) and `ingest` itself.
    func ingestFiles(_ paths: [URL], format: String? = nil, actor: Actor,
                     progress: any ProgressReporter = SilentProgress()) throws -> IngestSummary {
        var forced: InputFormat?
        var forcedSource: SourceMapping?
        if let format, format != "auto" {
            if let value = InputFormat(rawValue: format) {
                forced = value
            } else if let source = configuration.sources.first(where: { $0.formatName == format || $0.name == format }) {
                forcedSource = source
            } else {
                let names = InputFormat.allCases.map(\.rawValue) + configuration.sources.map(\.formatName)
                throw ArchiveFailure(.badInput, "unknown format '\(format.prefix(64))'; use auto or one of: \(names.joined(separator: ", "))")
            }
        }
        var summary = IngestSummary()
        var bytesRead: Int64 = 0
        let owners = try customerDirectory()
        let clockConverter = LocalTimeConverter(timeZone: timeZone)
        for file in try expand(paths, summary: &summary) {
            summary.files += 1
            do {
                let head = try readHead(file)
                if let source = forcedSource ?? (forced == nil ? configuration.sources.first(where: { $0.matches(head: head) }) : nil) {
                    try ingestRecords(file, format: source.formatName, reader: RecordReaders(normalizer: normalizer).mappedReader(source), owners: owners, actor: actor,
                                      summary: &summary) { running in progress.update(running, bytesRead: bytesRead) }
                    bytesRead += Int64(head.count)
                    continue
                }
                let detected: InputFormat
                if let forced { detected = forced } else {
                    do { detected = try FormatDetector.detect(fileName: file.lastPathComponent, head: head) } catch {
                        summary.rejected.append(IngestReject(file: file.path, line: nil, reason: error.reason))
                        continue
                    }
                }
                if detected.carriesMessageText { summary.messageTextFiles.append(file.path) }
                if detected == .recording {
                    try ingestRecording(file, head: head, owners: owners, clock: clockConverter, actor: actor, summary: &summary)
                } else {
                    let reader = RecordReaders(normalizer: normalizer).reader(for: detected, clock: clockConverter)
                    try ingestRecords(file, format: detected.rawValue, reader: reader, owners: owners, actor: actor, summary: &summary) { running in
                        progress.update(running, bytesRead: bytesRead)
                    }
                }
                bytesRead += Int64((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0)
                progress.update(summary, bytesRead: bytesRead)
            } catch let error as CallvaultError where error.kind == .badInput {
                summary.rejected.append(IngestReject(file: file.path, line: nil, reason: error.message))
            }
        }
        progress.finish()
        return summary
    }

    /// Files under `paths`, sorted; dot-files (a hook's file still being written) and
    /// rejection notes are skipped; a missing path is reported.
    func expand(_ paths: [URL], summary: inout IngestSummary) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder) else {
                summary.rejected.append(IngestReject(file: path.path, line: nil, reason: "no such file or folder"))
                continue
            }
            if !isFolder.boolValue {
                files.append(path)
                continue
            }
            guard let walker = FileManager.default.enumerator(at: path, includingPropertiesForKeys: [.isRegularFileKey],
                                                              options: [.skipsHiddenFiles]) else { continue }
            var found: [URL] = []
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                if url.lastPathComponent.hasSuffix(".reason.json") || url.lastPathComponent.hasSuffix(".ingested.json") { continue }
                // Documentation beside an export (README.md) is not data.
                if url.pathExtension.lowercased() == "md" { continue }
                // A recording's sidecar is read with its recording.
                if RecordingSidecarParser.isSidecar(url) { continue }
                found.append(url)
            }
            files += found.sorted { $0.path < $1.path }
        }
        return files
    }

    func readHead(_ file: URL) throws -> [UInt8] {
        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            return [UInt8](try handle.read(upToCount: 64 * 1024) ?? Data())
        } catch {
            throw ArchiveFailure(.badInput, "cannot read the file: \(error.localizedDescription)")
        }
    }

    // MARK: CDR files

    /// What the parser thread hands to the writer: parsed, prepared records and the lines it rejected.
    struct ParsedBatch: Sendable {
        var calls: [IndexWriter.PreparedCall] = []
        var sms: [IndexWriter.PreparedSMS] = []
        var statusUpdates: [SMSStatusUpdate] = []
        var rejects: [IngestReject] = []
        var latin1Records = 0
        var readFailure: String?
        var count: Int { calls.count + sms.count + statusUpdates.count }
    }

    /// Ingests a file of records (CDRs, SMS): parsing runs on its own thread, one batch ahead
    /// of the SQLite writer; each batch commits with its audit entry.
    func ingestRecords(_ file: URL, format: String, reader: @escaping RecordReader, owners: CustomerDirectory, actor: Actor,
                       summary: inout IngestSummary, progress: (IngestSummary) -> Void) throws {
        // One batch waits while the parser fills the next: a second waiting batch only added to
        // the peak memory (the writer is the slower side), never to the speed.
        let channel = BatchChannel<ParsedBatch>(capacity: 1)
        let done = DispatchSemaphore(value: 0)
        let batchSize = Self.callBatchSize
        let producer = Thread {
            let sink = BatchingSink(file: file, batchSize: batchSize, channel: channel) { record in
                switch record {
                case .call(let call):
                    let customers = owners.customers(at: call.start, of: call.from, call.to)
                    let facts = RetentionFacts(kind: .call, direction: call.direction, context: call.context, format: call.format, start: call.start)
                    return .call(IndexWriter.prepare(call, retention: try self.retention(facts, customers: customers, directory: owners),
                                                     customers: customers, now: self.clock()))
                case .sms(let sms):
                    let customers = owners.customers(at: sms.time, of: sms.from, sms.to)
                    let facts = RetentionFacts(kind: .sms, direction: sms.direction, context: nil, format: sms.format, start: sms.time)
                    return .sms(IndexWriter.prepare(sms, retention: try self.retention(facts, customers: customers, directory: owners),
                                                    customers: customers, now: self.clock()))
                case .status(let update):
                    return .status(update)
                }
            }
            do {
                try reader(file, sink)
            } catch is CancellationError {
            } catch {
                sink.batch.readFailure = "cannot read the file: \(error.localizedDescription)"
            }
            sink.flush()
            channel.close()
            done.signal()
        }
        producer.stackSize = 4 << 20
        producer.start()
        defer { done.wait() }

        var latin1Records = 0
        do {
            while let first = channel.take() {
                var rejects: [IngestReject] = []
                var taken = 0
                // Only the rejects of a batch outlive it: its records are freed once written.
                func note(_ batch: ParsedBatch) {
                    taken += 1
                    rejects += batch.rejects
                    latin1Records += batch.latin1Records
                    if let failure = batch.readFailure {
                        rejects.append(IngestReject(file: file.path, line: nil, reason: failure))
                    }
                }
                note(first)
                // Further batches join the transaction as the parser delivers them.
                let more = { () -> ParsedBatch? in
                    guard taken < Self.batchesPerTransaction, let next = channel.take() else { return nil }
                    note(next)
                    return next
                }
                try write(first, more: more, file: file.path, format: format, actor: actor, summary: &summary)
                crashSeam?("after-records-commit")
                summary.rejected += rejects
                progress(summary)
            }
        } catch {
            channel.cancel()
            throw error
        }
        if latin1Records > 0 {
            summary.warnings.append(IngestReject(file: file.path, line: nil,
                reason: "\(latin1Records) record(s) were not UTF-8 and were read as ISO-8859-1"))
        }
    }

    /// Commits `first` and the batches `more` yields, with one audit entry, in one transaction.
    func write(_ first: ParsedBatch, more: () -> ParsedBatch? = { nil }, file: String, format: String, actor: Actor,
               summary: inout IngestSummary) throws {
        let started = Date()
        var unmatchedReports: [(line: Int?, reason: String)] = []
        let (calls, sms, duplicates, _, _) = try index.write { writer -> ([Int64], [Int64], Int, Int, Int) in
            unmatchedReports = []
            let before = try writer.lastItemNumber()
            let now = self.clock()
            var calls: [Int64] = [], sms: [Int64] = []
            var duplicates = 0, records = 0, updates = 0
            var updated: [Int64] = []
            var next: ParsedBatch? = first
            while let batch = next {
                records += batch.count
                updates += batch.statusUpdates.count
                let newCalls = try writer.insert(batch.calls)
                calls += newCalls.inserted
                let newMessages = try writer.insert(batch.sms)
                sms += newMessages.inserted
                duplicates += newCalls.duplicates + newMessages.duplicates
                // Reports kept earlier (in this file or before) may belong to this batch's new messages.
                if let first = newMessages.inserted.first { try writer.applyPendingStatuses(insertedAfter: first - 1) }
                for update in batch.statusUpdates {
                    switch try writer.apply(update) {
                    case .applied(let id): updated.append(id.number)
                    case .kept: unmatchedReports.append((update.line, Self.keptReportWarning))
                    case .unmatched: unmatchedReports.append((update.line, Self.unmatchedReportWarning))
                    }
                }
                next = more()
            }
            guard records > 0 else { return ([], [], 0, 0, 0) }
            if !calls.isEmpty {
                try writer.indexNames(insertedAfter: before)
                try writer.indexConversations(insertedAfter: before)
                // A recording that waited for its call takes the call's time and customers: date it again.
                try self.reapplyRetention(ofItems: writer.linkWaitingRecordings(insertedAfter: before), writer: writer)
            }
            try writer.coverByHashedNumberScopes(insertedAfter: before, hash: numberHasher.hash)
            var items = AuditChain.ranges(prefix: ItemKind.call.idPrefix, numbers: calls)
            items += AuditChain.ranges(prefix: ItemKind.sms.idPrefix, numbers: sms)
            items += AuditChain.ranges(prefix: ItemKind.sms.idPrefix, numbers: updated.sorted())
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "ingest", items: items,
                details: ["format": format, "records": String(records), "duplicates": String(duplicates),
                          "status_updates": String(updates)],
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: now)
            return (calls, sms, duplicates, records, updates)
        }
        summary.calls += calls.count
        summary.sms += sms.count
        summary.duplicates += duplicates
        summary.warnings += unmatchedReports.map { IngestReject(file: file, line: $0.line, reason: $0.reason) }
    }

    static let keptReportWarning = "the delivery report's message id names no SMS yet: it is kept and applied when its SMS is ingested"
    static let unmatchedReportWarning = "the delivery report has no message id and matches no SMS of its SMSC, sender and recipient sent in the week before it"

    // MARK: recordings

    func ingestRecording(_ file: URL, head: [UInt8], owners: CustomerDirectory, clock: LocalTimeConverter,
                         actor: Actor, summary: inout IngestSummary) throws {
        let fileName = file.lastPathComponent
        var meta = RecordingNameParser(normalizer: normalizer, clock: clock).parse(fileName: fileName)
        var extraCustomers: [String] = []
        var details: [String: String] = [:]
        if let sidecarURL = RecordingSidecarParser.sidecarURL(for: file) {
            do {
                let sidecar = try RecordingSidecarParser.parse(try Data(contentsOf: sidecarURL))
                meta = RecordingSidecarParser.apply(sidecar, to: meta)
                if !sidecar.tags.isEmpty { details["tags"] = sidecar.tags.joined(separator: ",") }
                if let customer = sidecar.customerID {
                    if try index.read({ try $0.customerExists(customer) }) {
                        extraCustomers.append(customer)
                    } else {
                        summary.warnings.append(IngestReject(file: sidecarURL.path, line: nil, reason: "sidecar names customer '\(customer.prefix(64))', who is not in the archive; not linked"))
                    }
                }
            } catch {
                summary.warnings.append(IngestReject(file: sidecarURL.path, line: nil, reason: "sidecar ignored: \((error as? IngestLineError)?.reason ?? "cannot be read")"))
            }
        }
        if try index.read({ try $0.itemExists(sourceKey: meta.sourceKey) }) {
            summary.duplicates += 1
            return
        }
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
        let layout: WAVHeaderParser.Layout
        do { layout = try WAVHeaderParser.layout(head: head, fileSize: size) } catch {
            summary.rejected.append(IngestReject(file: file.path, line: nil, reason: error.reason))
            return
        }
        let start = meta.start ?? self.clock()
        let byNumber = owners.customers(at: start, of: meta.from, meta.to)
        let linked = byNumber + extraCustomers.filter { !byNumber.contains($0) }
        let facts = RetentionFacts(kind: .recording, direction: meta.direction, context: meta.queue, format: String(meta.sourceKey.prefix { $0 != ":" }),
                                   tags: details["tags"]?.split(separator: ",").map(String.init) ?? [], start: start)
        let retention: RetentionTag
        do throws(IngestLineError) { retention = try self.retention(facts, customers: linked, directory: owners) } catch {
            summary.rejected.append(IngestReject(file: file.path, line: nil, reason: error.reason))
            return
        }
        let started = Date()
        let audio = layout.audio, hint = Self.compressionHint(layout)
        let stored = try blobs.put(contentsOf: file, hint: hint)
        let blob = BlobDetail(sha256: stored.sha256, bytes: stored.bytes, storedBytes: stored.storedBytes, audio: audio, fileName: fileName)
        crashSeam?("before-index-commit")
        let outcome = try index.write { writer -> IndexWriter.InsertOutcome in
            let now = self.clock()
            // Expiry or erasure of an item with the same bytes may have removed the blob since
            // `put` (they remove blobs under this same write lock): store it again first.
            if !blobs.contains(stored.sha256) {
                _ = try blobs.put(contentsOf: file, hint: hint)
            }
            let before = try writer.lastItemNumber()
            let outcome = try writer.insertRecording(meta, blob: blob, fileName: fileName, details: details,
                                                     retention: retention, customers: linked, now: now)
            try writer.coverByHashedNumberScopes(insertedAfter: before, hash: numberHasher.hash)
            // Linked to its call on insert, it may have taken the call's time and customers.
            if case .inserted(let id) = outcome { try self.reapplyRetention(ofItems: [id], writer: writer) }
            if case .inserted(let id) = outcome {
                try writer.appendAudit(AuditEvent(
                    actor: actor.name, role: actor.role, action: "ingest", items: [id.description],
                    details: ["format": String(meta.sourceKey.prefix { $0 != ":" }), "sha256": stored.sha256, "bytes": String(stored.bytes)],
                    durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: now)
            }
            return outcome
        }
        switch outcome {
        case .inserted:
            summary.recordings += 1
            if let warning = audio.warning {
                summary.warnings.append(IngestReject(file: file.path, line: nil, reason: "stored with a warning: \(warning)"))
            }
        case .duplicate:
            summary.duplicates += 1
        }
    }
}
