// Renderer entry: Pinia, then the session (push subscriptions, first status/snapshot/scenarios), then the shell.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { startSession } from './ipc/session'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
void startSession()
app.mount('#app')
