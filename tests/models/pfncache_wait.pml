/*
 * pfncache wait for invalidations (gpc_wait_for_invalidations /
 * gpc_invalidate_end): no lost wake-up.
 *
 *   waiter: lock; while (count) { t = wake_seq; unlock; spin until
 *           wake_seq != t; lock }; unlock
 *   waker:  lock; count--; if (count == 0) wake_seq++; unlock
 *
 * The waiter samples its ticket under the lock with the condition still
 * true, so a wake-up between its unlock and its spin is not lost.
 *   MUTATE_R10_WAIT_TICKET   sample the ticket after unlocking: the waker
 *                            can bump wake_seq in between and the waiter
 *                            spins forever (an invalid end state).
 * Two invalidations overlap here (count starts at 2, two wakers).
 */

byte count = 2;
byte wake_seq = 0;
bit lk = 0;

inline lock()	{ atomic { lk == 0 -> lk = 1 } }
inline unlock()	{ lk = 0 }

active proctype waiter()
{
	byte t;

	lock();
	do
	:: count > 0 ->
#ifdef MUTATE_R10_WAIT_TICKET
		unlock();
		t = wake_seq;
#else
		t = wake_seq;
		unlock();
#endif
		(wake_seq != t);
		lock()
	:: else -> break
	od;
	unlock()
}

active [2] proctype waker()
{
	lock();
	count--;
	if
	:: count == 0 -> wake_seq++
	:: else -> skip
	fi;
	unlock()
}
