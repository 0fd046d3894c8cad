/* SPDX-License-Identifier: MIT */
/*
 * CPU state that a guest can change without a VM exit and that VMX does not
 * switch: what the hypervisor resets around each vCPU's life on a CPU.
 * docs/host-state.md has the whole table: every piece of state a guest can
 * reach, who owns it while the guest runs, and how it is switched.
 */
#ifndef VMX_HOST_STATE_H
#define VMX_HOST_STATE_H

/**
 * host_state_scrub() - reset the guest-reachable CPU state to its
 * power-on values on the calling CPU.
 *
 * DR0-DR3 and DR6, CR2, CR8 (the LAPIC task priority), KERNEL_GS_BASE,
 * the SYSCALL MSRs, TSC_AUX, the x87/SSE/AVX register state and XCR0.
 * Called before a vCPU first enters the guest, so it starts from a clean
 * CPU, and after it stopped, so nothing a guest left in the registers
 * reaches the hypervisor or the next VM on this CPU.
 */
void host_state_scrub(void);

#endif /* VMX_HOST_STATE_H */
