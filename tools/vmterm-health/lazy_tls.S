// Entry points for the OpenSSL and libssh2 functions of lazy_tls.def (x86-64 System V): each
// jumps through its slot in vmterm_lazy_tls_slots; an empty slot goes to vmterm_lazy_tls_bind,
// which keeps the argument registers, has lazy_tls.cpp load the library and fill its slots,
// and jumps to the function as if it had been called directly. The symbols are hidden: the
// libraries loaded later never bind to these entries. See lazy_tls.cpp.

#define LAZY(index, library, symbol) lazy_entry symbol, index ;

.macro lazy_entry symbol, index
  .text
  .globl \symbol
  .hidden \symbol
  .type \symbol, @function
  .p2align 4
\symbol:
  movq vmterm_lazy_tls_slots+8*\index(%rip), %r11
  testq %r11, %r11
  jz 1f
  jmpq *%r11
1:
  movl $\index, %r11d
  jmp vmterm_lazy_tls_bind
  .size \symbol, .-\symbol
.endm

#include "lazy_tls.def"

  .text
  .p2align 4
  .type vmterm_lazy_tls_bind, @function
// In: %r11 = the function's index; the caller's arguments in their registers, %rsp as at the
// function's entry. Saves what an argument may be passed in (and %rax, the vector-register
// count of a variadic call), calls vmterm_lazy_tls_resolve(index) (which exits the process
// when the library cannot be loaded), restores them and jumps to the function.
vmterm_lazy_tls_bind:
  pushq %rbp
  movq %rsp, %rbp
  pushq %rdi
  pushq %rsi
  pushq %rdx
  pushq %rcx
  pushq %r8
  pushq %r9
  pushq %rax
  subq $136, %rsp  // 8 vector registers, and %rsp 16-byte aligned for the call
  movdqu %xmm0, 0(%rsp)
  movdqu %xmm1, 16(%rsp)
  movdqu %xmm2, 32(%rsp)
  movdqu %xmm3, 48(%rsp)
  movdqu %xmm4, 64(%rsp)
  movdqu %xmm5, 80(%rsp)
  movdqu %xmm6, 96(%rsp)
  movdqu %xmm7, 112(%rsp)
  movl %r11d, %edi
  call vmterm_lazy_tls_resolve
  movq %rax, %r11
  movdqu 0(%rsp), %xmm0
  movdqu 16(%rsp), %xmm1
  movdqu 32(%rsp), %xmm2
  movdqu 48(%rsp), %xmm3
  movdqu 64(%rsp), %xmm4
  movdqu 80(%rsp), %xmm5
  movdqu 96(%rsp), %xmm6
  movdqu 112(%rsp), %xmm7
  addq $136, %rsp
  popq %rax
  popq %r9
  popq %r8
  popq %rcx
  popq %rdx
  popq %rsi
  popq %rdi
  popq %rbp
  jmpq *%r11
  .size vmterm_lazy_tls_bind, .-vmterm_lazy_tls_bind

  .section .note.GNU-stack, "", @progbits
