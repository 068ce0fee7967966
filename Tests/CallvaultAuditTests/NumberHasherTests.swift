import Foundation
import Testing
import CallvaultAudit

@Suite struct NumberHasherTests {
    let hasher = NumberHasher(secret: Data(repeating: 7, count: 32))

    @Test func theSameNumberHashesTheSame() {
        #expect(hasher.hash("+358401234567") == hasher.hash("+358401234567"))
        #expect(NumberHasher(secret: Data(repeating: 7, count: 32)).hash("+358401234567") == hasher.hash("+358401234567"))
    }

    @Test func differentNumbersHashDifferently() {
        #expect(hasher.hash("+358401234567") != hasher.hash("+358401234568"))
        #expect(hasher.hash("+358401234567") != hasher.hash("358401234567"))
    }

    @Test func aDifferentSecretGivesADifferentHash() {
        let other = NumberHasher(secret: Data(repeating: 8, count: 32))
        #expect(other.hash("+358401234567") != hasher.hash("+358401234567"))
    }

    @Test func theHashIsHmacAndThirtyTwoHexDigits() {
        let hash = hasher.hash("+358401234567")
        #expect(hash.hasPrefix("hmac:"))
        let hex = hash.dropFirst(5)
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test func theHashNeverContainsTheDigitsOfTheNumber() {
        for i in 0..<500 {
            let national = String(format: "40%07d", (i * 7_919 + 1_234_567) % 10_000_000)
            let number = "+358" + national
            let hash = hasher.hash(number)
            #expect(!hash.contains(number))
            #expect(!hash.contains(national))
            // No run of 7 digits of the number survives in the hash.
            let digits = Array(number.dropFirst())
            for start in 0...(digits.count - 7) {
                #expect(!hash.contains(String(digits[start..<start + 7])), "\(number)")
            }
        }
    }

    @Test func freshSecretsAreThirtyTwoRandomBytes() {
        let a = AuditKey.randomBytes(), b = AuditKey.randomBytes()
        #expect(a.count == 32)
        #expect(a != b)
        #expect(NumberHasher(secret: a).hash("+358401234567") != NumberHasher(secret: b).hash("+358401234567"))
    }
}
