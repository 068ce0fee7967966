import Foundation
import CallvaultModel
import CallvaultIngest
import CallvaultIndex

/// One record prepared for the writer.
enum PreparedRecord {
    case call(IndexWriter.PreparedCall)
    case sms(IndexWriter.PreparedSMS)
    case status(SMSStatusUpdate)
}

/// Collects records into batches, each record prepared as its row (customers linked, retention
/// decided) on the parser's thread, and hands each full batch to the writer.
final class BatchingSink: RecordSink {
    let file: URL
    let batchSize: Int
    let channel: BatchChannel<Archive.ParsedBatch>
    /// Turns a parsed record into its row; throws `IngestLineError` for a record the archive must refuse.
    let prepare: (ParsedRecord) throws -> PreparedRecord
    var batch = Archive.ParsedBatch()

    init(file: URL, batchSize: Int, channel: BatchChannel<Archive.ParsedBatch>, prepare: @escaping (ParsedRecord) throws -> PreparedRecord) {
        self.file = file
        self.batchSize = batchSize
        self.channel = channel
        self.prepare = prepare
    }

    func accept(_ record: ParsedRecord, line: Int?) throws {
        let prepared: PreparedRecord
        do { prepared = try prepare(record) } catch {
            reject(line: line, RecordReaders.reason(error))
            return
        }
        switch prepared {
        case .call(let call): batch.calls.append(call)
        case .sms(let sms): batch.sms.append(sms)
        case .status(var update):
            update.line = update.line ?? line
            batch.statusUpdates.append(update)
        }
        if batch.count >= batchSize {
            guard channel.put(batch) else { throw CancellationError() }
            batch = Archive.ParsedBatch()
        }
    }

    func reject(line: Int?, _ reason: String) {
        batch.rejects.append(IngestReject(file: file.path, line: line, reason: reason))
    }

    func noteLatin1() { batch.latin1Records += 1 }

    func flush() { channel.put(batch) }
}
