import { describeEachBackend } from '../../../test/support/backends';
import { SYSTEM_ACTOR } from './actor';
import { openHarness } from './testing/read-model-scenario';

// `/admin/v1/users/:user` (and every CLI command naming a user) takes an id or a username.
describeEachBackend('a user named by id or by username', ({ freshStorage }) => {
  it('finds the user by either, and refuses a name that is one user\'s id and another\'s username', async () => {
    const h = await openHarness((await freshStorage()).url);
    try {
      const alice = await h.commands.createUser({ username: 'alice' }, SYSTEM_ACTOR);
      expect((await h.commands.userByIdOrUsername(alice.userId)).username).toBe('alice');
      expect((await h.commands.userByIdOrUsername('alice')).userId).toBe(alice.userId);
      await expect(h.commands.userByIdOrUsername('nobody')).rejects.toMatchObject({ code: 'unknown_user' });

      // A username may look like an id; when it is another user's id, neither is guessed.
      const mallory = await h.commands.createUser({ username: alice.userId }, SYSTEM_ACTOR);
      await expect(h.commands.userByIdOrUsername(alice.userId)).rejects.toMatchObject({
        code: 'validation_failed', message: expect.stringContaining('is the id of one user and the username of another'),
      });
      expect((await h.commands.userByIdOrUsername(mallory.userId)).username).toBe(alice.userId);
      // Commands take the id the caller holds: no guessing there.
      await expect(h.commands.getUser('alice')).rejects.toMatchObject({ code: 'unknown_user' });
    } finally {
      await h.close();
    }
  });
});
