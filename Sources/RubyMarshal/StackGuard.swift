// RubyMarshal/StackGuard: how much of the current thread's stack is left, so the recursive reader and
// renderer refuse (`limit`) before they could overflow a small thread stack, whatever the nesting limit.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    /// glibc's `pthread_getattr_np` (the Glibc module does not export it).
    @_silgen_name("pthread_getattr_np")
    private func c_pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#endif

/// Checked at every level of nesting, so it must be cheap: the first 64 KiB of stack below where the
/// guard was made are taken as room without asking; only deeper does it ask the thread for its stack's
/// bounds (`pthread_getattr_np`, which on the main thread reads /proc/self/maps), once.
final class StackGuard {
    /// Bytes kept free below the deepest frame allowed.
    static let margin: UInt = 64 << 10
    /// Stack used below the guard's creation without looking the bounds up (every thread has far more).
    static let freeUse: UInt = 64 << 10

    private let start: UInt
    /// Lowest usable address plus the margin; 0 when the bounds are unknown (no check then).
    private var floor: UInt?

    init() { start = StackGuard.here() }

    @inline(never)
    static func here() -> UInt {
        var probe: UInt8 = 0
        return withUnsafeMutablePointer(to: &probe) { UInt(bitPattern: $0) }
    }

    /// True while the caller's frame is above the floor.
    @inline(never)
    func hasRoom() -> Bool {
        let here = StackGuard.here()
        if start >= here && start - here < StackGuard.freeUse { return true }
        let f = floor ?? StackGuard.threadFloor()
        floor = f
        return here > f
    }

    /// The floor of the calling thread, looked up once per thread and kept in a thread-specific slot.
    static let floorKey: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key, nil)
        return key
    }()

    static func threadFloor() -> UInt {
        if let kept = pthread_getspecific(floorKey) { return UInt(bitPattern: kept) }
        let f = currentFloor()
        // 0 (bounds unknown) is kept as 1: still no check, and not looked up again.
        _ = pthread_setspecific(floorKey, UnsafeRawPointer(bitPattern: max(f, 1)))
        return max(f, 1)
    }

    static func currentFloor() -> UInt {
        #if canImport(Glibc)
            var attr = pthread_attr_t()
            var low: UnsafeMutableRawPointer?
            var size = 0
            if c_pthread_getattr_np(pthread_self(), &attr) == 0 {
                defer { pthread_attr_destroy(&attr) }
                if pthread_attr_getstack(&attr, &low, &size) == 0, let low {
                    return UInt(bitPattern: low) + margin
                }
            }
            return 0
        #elseif canImport(Darwin)
            let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
            return top - UInt(pthread_get_stacksize_np(pthread_self())) + margin
        #else
            return 0
        #endif
    }
}
