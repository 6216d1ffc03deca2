// The console's service worker: shows a Web Push as a notification and opens the console when it is clicked.
// The payload carries ids and generic text only (never content or names), so nothing here needs protecting.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === 'string' ? data.title : 'Wellifiy';
  const body = typeof data.body === 'string' ? data.body : 'You have a new message';
  event.waitUntil(self.registration.showNotification(title, { body, tag: data.channelId || 'wellifiy', data: { channelId: data.channelId || null } }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).pathname.startsWith('/console/'));
      return open ? open.focus() : self.clients.openWindow('/console/');
    }),
  );
});
