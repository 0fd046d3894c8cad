/*
 * The AP start-up hand-off of arch/x86/smp.c and boot/trampoline.asm.
 *
 * One trampoline data block is reused for AP after AP.  The BSP fills it,
 * INIT-resets the AP, publishes go = 1, sends the SIPI and waits.  The AP
 * claims the block with xchg(go, 0); a zero means "not for me" and it parks.
 * If the AP does not report in time the BSP withdraws the block with its
 * own xchg(go, 0): a 1 means the AP never claimed it (it is INIT-reset and
 * the block is reused for the next AP), a 0 means it did (wait for it).
 *
 * Checked: an AP that runs on the block sees the block filled for itself,
 * and the block does not change under it until it acknowledges.  The BSP's
 * wait "timed out" is a free choice, and the AP may be arbitrarily slow
 * between receiving its SIPI and claiming, so every interleaving of a late
 * AP with a withdrawal and a reuse is explored.
 *
 * -DMUTATE_R1_SMP_WITHDRAW: the withdrawal becomes a load and a store (the
 * mutant of smp_withdraw()); a claim slipping in between goes unnoticed and
 * the block is reused under a running AP.
 *
 * Run: tools/spin-check tests/models/handoff.pml [-DMUTATE_R1_SMP_WITHDRAW]
 */

#define NAP	2

byte go = 0;		/* the block's go word */
byte block = 0;		/* which AP (1..NAP) the block was filled for */
byte ack = 0;		/* AP id that acknowledged */
bool sipi[NAP + 1];	/* SIPI sent to AP i and not yet cancelled by INIT */
bool running[NAP + 1];	/* AP i claimed the block */
byte came_up = 0;

proctype ap(byte id)
{
	byte got;

	/*
	 * Wait-for-SIPI (a valid end state: an AP given up on stays there);
	 * an INIT (sipi[id] = false) takes the SIPI back.
	 */
end_wait:
	atomic { sipi[id] -> skip };
	/* Real mode, arbitrarily late.  Claim (xchg is one atomic step). */
	atomic {
		if
		:: sipi[id] -> got = go; go = 0
		:: !sipi[id] -> got = 0	/* INIT-reset before it got here */
		fi
	};
	if
	:: got == 0 -> goto park
	:: else -> skip
	fi;
	running[id] = true;
	assert(block == id);		/* the data was meant for this AP */
	assert(block == id);		/* ... and still is, in C */
	ack = id;
	running[id] = false;
park:
	skip
}

active proctype bsp()
{
	byte i = 1, was;

	atomic { run ap(1); run ap(2) };
	do
	:: i > NAP -> break
	:: else ->
		block = i;		/* fill the data block */
		ack = 0;
		sipi[i] = false;	/* INIT; 10 ms: every earlier INIT has landed */
		go = 1;			/* store_release(&d->go, 1) */
		sipi[i] = true;		/* SIPI */
		if
		:: ack == i -> came_up++	/* acknowledged in time */
		:: true ->			/* timed out */
#ifdef MUTATE_R1_SMP_WITHDRAW
			was = go;
			go = 0;
#else
			atomic { was = go; go = 0 };
#endif
			if
			:: was == 1 -> sipi[i] = false	/* never claimed: INIT it */
			:: else -> ack == i; came_up++	/* claimed: wait */
			fi
		fi;
		i++
	od;
	assert(came_up <= NAP)
}
