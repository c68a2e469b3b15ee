;; facerec's exact-search kernel: dot products of gallery rows with query embeddings, WebAssembly SIMD128.
;; Built by packages/core/scripts/build-dot-kernel.mjs into dot-kernel-binary.ts (committed; no toolchain needed).
;;
;; scores(rows, count, stride, queries, m, out):
;;   for r < count, q < m: out[q * count + r] = dot(rows[r], queries[q])
;; rows, queries and out are byte addresses; rows and queries are `stride` bytes apart, stride a multiple of 64
;; (16 floats). Summation order, which dot-kernel.ts repeats in JS bit for bit: four f32x4 accumulators
;; a0..a3 take floats 16t + 4k + j (accumulator k, lane j) as a[k] += row * query (f32 multiply, then f32
;; add: no FMA, which would round differently); then v = (a0 + a1) + (a2 + a3) lane-wise and the score is
;; (v[0] + v[1]) + (v[2] + v[3]). Rows are read once, in order (the scan is memory-bound: one sequential
;; stream lets the prefetcher keep up); all m queries are scored against a row while it is in L1.
;;
;; screen(rows, count, d, queries, m, out):
;;   for r < count, q < m: out[q * count + r] = (float) sum_i rows[r][i] * queries[q][i]
;; with int8 rows (`d` bytes apart, d a multiple of 16) and int16 queries (2d bytes apart, values within ±127):
;; the exact integer dot product of the rows' and queries' 8-bit quantisations (|sum| < 2^24, so exact as f32 too).
;; A quarter of the bytes of `scores`; exact-search.ts turns it into a bound on the float32 score and re-scores
;; only the rows whose bound can reach the k best.
(module
  (import "env" "memory" (memory 0))
  (func (export "scores")
    (param $rows i32) (param $count i32) (param $stride i32) (param $queries i32) (param $m i32) (param $out i32)
    (local $r i32) (local $end i32) (local $rowOut i32) (local $outStride i32)
    (local $q i32) (local $qp i32) (local $op i32) (local $i i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (if (i32.or (i32.eqz (local.get $count)) (i32.eqz (local.get $m))) (then (return)))
    (local.set $r (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $stride))))
    (local.set $rowOut (local.get $out))
    (local.set $outStride (i32.shl (local.get $count) (i32.const 2)))
    (loop $row
      (local.set $q (i32.const 0))
      (local.set $qp (local.get $queries))
      (local.set $op (local.get $rowOut))
      (loop $query
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (loop $dot
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
            (v128.load offset=0 (i32.add (local.get $r) (local.get $i)))
            (v128.load offset=0 (i32.add (local.get $qp) (local.get $i))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
            (v128.load offset=16 (i32.add (local.get $r) (local.get $i)))
            (v128.load offset=16 (i32.add (local.get $qp) (local.get $i))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
            (v128.load offset=32 (i32.add (local.get $r) (local.get $i)))
            (v128.load offset=32 (i32.add (local.get $qp) (local.get $i))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
            (v128.load offset=48 (i32.add (local.get $r) (local.get $i)))
            (v128.load offset=48 (i32.add (local.get $qp) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 64)))
          (br_if $dot (i32.lt_u (local.get $i) (local.get $stride))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (local.get $op) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (local.set $qp (i32.add (local.get $qp) (local.get $stride)))
        (local.set $op (i32.add (local.get $op) (local.get $outStride)))
        (br_if $query (i32.lt_u (local.get $q) (local.get $m))))
      (local.set $rowOut (i32.add (local.get $rowOut) (i32.const 4)))
      (local.set $r (i32.add (local.get $r) (local.get $stride)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $end)))))
  (func (export "screen")
    (param $rows i32) (param $count i32) (param $d i32) (param $queries i32) (param $m i32) (param $out i32)
    (local $r i32) (local $end i32) (local $rowOut i32) (local $outStride i32)
    (local $q i32) (local $qp i32) (local $op i32) (local $i i32) (local $j i32)
    (local $x v128) (local $a0 v128) (local $a1 v128)
    (if (i32.or (i32.eqz (local.get $count)) (i32.eqz (local.get $m))) (then (return)))
    (local.set $r (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $d))))
    (local.set $rowOut (local.get $out))
    (local.set $outStride (i32.shl (local.get $count) (i32.const 2)))
    (loop $row
      (local.set $q (i32.const 0))
      (local.set $qp (local.get $queries))
      (local.set $op (local.get $rowOut))
      (loop $query
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (local.set $j (local.get $qp))
        (loop $dot
          (local.set $x (v128.load (i32.add (local.get $r) (local.get $i))))
          (local.set $a0 (i32x4.add (local.get $a0)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load offset=0 (local.get $j)))))
          (local.set $a1 (i32x4.add (local.get $a1)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 (local.get $j)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $dot (i32.lt_u (local.get $i) (local.get $d))))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $a1)))
        (f32.store (local.get $op) (f32.convert_i32_s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
          (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0))))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (local.set $qp (i32.add (local.get $qp) (i32.shl (local.get $d) (i32.const 1))))
        (local.set $op (i32.add (local.get $op) (local.get $outStride)))
        (br_if $query (i32.lt_u (local.get $q) (local.get $m))))
      (local.set $rowOut (i32.add (local.get $rowOut) (i32.const 4)))
      (local.set $r (i32.add (local.get $r) (local.get $d)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $end))))))
