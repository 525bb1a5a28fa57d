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

struct StackGuard {
    /// Lowest usable address plus a safety margin; 0 when the bounds are unknown (no check then).
    let floor: UInt

    /// Bytes kept free below the deepest frame allowed.
    static let margin: UInt = 64 << 10

    init() {
        #if canImport(Glibc)
            var attr = pthread_attr_t()
            var low: UnsafeMutableRawPointer?
            var size = 0
            if c_pthread_getattr_np(pthread_self(), &attr) == 0 {
                defer { pthread_attr_destroy(&attr) }
                if pthread_attr_getstack(&attr, &low, &size) == 0, let low {
                    floor = UInt(bitPattern: low) + StackGuard.margin
                    return
                }
            }
            floor = 0
        #elseif canImport(Darwin)
            let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
            floor = top - UInt(pthread_get_stacksize_np(pthread_self())) + StackGuard.margin
        #else
            floor = 0
        #endif
    }

    /// True while the caller's frame is above the floor.
    @inline(never)
    func hasRoom() -> Bool {
        var probe: UInt8 = 0
        return withUnsafeMutablePointer(to: &probe) { UInt(bitPattern: $0) } > floor
    }
}
